/** The sandbox's "hookline" in tests: a runtime that must be loaded before any workflow. */
export async function sleep(duration: string): Promise<string> {
  if ((globalThis as Record<string, unknown>).__runtimeLoaded !== true) throw new Error("runtime not loaded first");
  return `slept ${duration}`;
}

export const WORKFLOW_SERIALIZE: unique symbol = Symbol.for("workflow-serialize") as never;
export const WORKFLOW_DESERIALIZE: unique symbol = Symbol.for("workflow-deserialize") as never;
