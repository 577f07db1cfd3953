/**
 * What compiled workflow code calls (see packages/transform/spec.md, workflow mode):
 * `registerWorkflow` for each "use workflow" function, `stepProxy` in place of each step body,
 * `markStep` on each step function so it can be passed as a value.
 */
import { SerializationError } from "../shared/errors.js";
import { serialize } from "../shared/serialization/index.js";
import { markStepFunction, setStepReviver } from "../shared/step-ref.js";
import { installDeterministicGlobals } from "./globals.js";
import { host } from "./kernel.js";
import { awaitOperation, nextCorr, registerWorkflowFn } from "./state.js";
import { WorkflowResponse } from "./webhook.js";

// Before any user module runs (the bundle imports this module first).
installDeterministicGlobals(globalThis as Record<string | symbol, unknown>, host());
// Workflow code may build a webhook's static answer with `new Response(...)`.
(globalThis as Record<string, unknown>).Response ??= WorkflowResponse;

export function registerWorkflow(id: string, fn: (...args: unknown[]) => unknown): void {
  registerWorkflowFn(id, fn);
}

/** A call of the step `stepId`; `closure` reads the workflow variables a nested step uses. */
export function stepProxy(
  stepId: string,
  closure?: () => Record<string, unknown>,
): (...args: unknown[]) => Promise<unknown> {
  return (...args: unknown[]) => callStep(stepId, args, closure, null);
}

/** A call of an instance-method step: its `this` is serialized with the call, so its class must be serializable. */
export function methodStepProxy(stepId: string, self: unknown): (...args: unknown[]) => Promise<unknown> {
  return (...args: unknown[]) => callStep(stepId, args, undefined, { self });
}

function callStep(
  stepId: string,
  args: unknown[],
  closure: (() => Record<string, unknown>) | undefined,
  method: { self: unknown } | null,
): Promise<unknown> {
  const corr = nextCorr();
  let recordedArgs: unknown;
  let recordedClosure: unknown;
  let recordedSelf: unknown;
  try {
    if (method) recordedSelf = serializeThis(method.self, stepId);
    recordedArgs = serialize(args, "args");
    if (closure) recordedClosure = serialize(closure(), "closure");
  } catch (error) {
    return Promise.reject(error);
  }
  host().request({
    kind: "step",
    corr,
    stepId,
    args: recordedArgs,
    ...(closure ? { closure: recordedClosure } : {}),
    ...(method ? { self: recordedSelf } : {}),
  });
  return awaitOperation(corr);
}

function serializeThis(self: unknown, stepId: string): unknown {
  try {
    return serialize(self, "this");
  } catch (error) {
    if (!SerializationError.is(error)) throw error;
    const name = stepId.split("//").pop();
    throw new SerializationError(
      `The instance-method step "${name}" runs with its this, which is recorded with each call. ${error.message}`,
      error.path,
    );
  }
}

export { registerDeclaredClass as registerClass } from "../shared/serialization/index.js";

/** Lets a step function of the workflow bundle cross serialization as a reference to its step. */
export function markStep<T>(fn: T, stepId: string, closure?: () => Record<string, unknown>): T {
  return markStepFunction(fn, stepId, closure);
}

// A step function received here (an argument, a step's result, a payload) schedules its step durably.
setStepReviver((stepId, closure) => {
  const read = closure && (() => closure);
  const call = stepProxy(stepId, read);
  return markStepFunction((...args: unknown[]) => call(...args), stepId, read);
});
