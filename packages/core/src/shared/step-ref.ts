/**
 * A step function as a value that crosses serialization: passed to another step, to `start()`,
 * as a hook payload or returned. The function carries its step id (and, for a step declared
 * inside a workflow, a reader of the workflow variables it uses) under a registry symbol, so the
 * serializer recognises it in either realm. Recorded as `{ "$t": "Step", "id", "c"? }` (the
 * closure's values, read when it is serialized), and revived by the reading realm's reviver:
 * in the workflow sandbox a function that schedules the step durably, on the host one that runs
 * the step's body directly (see workflow/internal.ts and host/step-values.ts).
 */
import { SerializationError } from "./errors.js";

export const STEP_REF = Symbol.for("hookline.step");
const REVIVER = Symbol.for("hookline.step-reviver");

export interface StepRef {
  id: string;
  /** The workflow variables a nested step uses, read at each serialization. */
  closure?: () => Record<string, unknown>;
}

export type StepReviver = (id: string, closure: Record<string, unknown> | undefined) => (...args: unknown[]) => unknown;

/** The step reference a function carries, if any. */
export function stepRefOf(fn: unknown): StepRef | undefined {
  if (typeof fn !== "function") return undefined;
  const ref = (fn as unknown as Record<symbol, unknown>)[STEP_REF] as StepRef | undefined;
  return ref && typeof ref === "object" && typeof ref.id === "string" ? ref : undefined;
}

/** Marks `fn` as the step `id` (a non-enumerable property, so the function is otherwise unchanged). */
export function markStepFunction<T>(fn: T, id: string, closure?: () => Record<string, unknown>): T {
  if (typeof fn !== "function") return fn;
  const own = Object.getOwnPropertyDescriptor(fn, STEP_REF);
  if (own && !own.configurable) return fn;
  Object.defineProperty(fn, STEP_REF, {
    value: closure ? { id, closure } : { id },
    enumerable: false,
    configurable: true,
  });
  return fn;
}

/**
 * Sets how this realm revives a step function. It lives on globalThis: several copies of this
 * module may be loaded on the host, and the sandbox's globalThis is its own.
 */
export function setStepReviver(reviver: StepReviver): void {
  (globalThis as Record<symbol, unknown>)[REVIVER] = reviver;
}

export function reviveStepFunction(id: string, closure: Record<string, unknown> | undefined): unknown {
  const reviver = (globalThis as Record<symbol, unknown>)[REVIVER] as StepReviver | undefined;
  if (typeof reviver !== "function") {
    throw new SerializationError(
      `Cannot deserialize the step function "${id}" here: step functions are revived only in workflows, steps and server code that loads Hookline's runtime.`,
      "value",
    );
  }
  return reviver(id, closure);
}
