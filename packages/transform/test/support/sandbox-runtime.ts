/** The workflow bundle's runtime in tests: records registrations on the vm context's globalThis. */
const registry = ((globalThis as Record<string, unknown>).__registered ??= {}) as Record<string, unknown>;
(globalThis as Record<string, unknown>).__runtimeLoaded = true;

export function registerWorkflow(id: string, fn: (...args: unknown[]) => unknown): void {
  registry[id] = fn;
}

export function stepProxy(id: string, closure?: () => Record<string, unknown>): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => ({ step: id, args, closure: closure?.() });
}
