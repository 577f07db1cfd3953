/** The workflow bundle's runtime in tests: records registrations on the vm context's globalThis. */
const sandbox = globalThis as Record<string, unknown>;
sandbox.__registered ??= {};
sandbox.__runtimeLoaded = true;
const registry = sandbox.__registered as Record<string, unknown>;

export function registerWorkflow(id: string, fn: (...args: unknown[]) => unknown): void {
  registry[id] = fn;
}

export function stepProxy(
  id: string,
  closure?: () => Record<string, unknown>,
): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => ({ step: id, args, closure: closure?.() });
}

export function methodStepProxy(id: string, self: unknown): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => ({ step: id, args, self });
}

export function markStep<T>(fn: T, id: string, closure?: () => Record<string, unknown>): T {
  Object.defineProperty(fn, "__step", { value: { id, closure } });
  return fn;
}

export function registerClass(id: string, cls: unknown): void {
  sandbox.__classes ??= {};
  (sandbox.__classes as Record<string, unknown>)[id] = cls;
}
