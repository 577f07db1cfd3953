/** What compiled step-mode code calls (see packages/transform/spec.md). */
import { registerStepFn, type StepFunction } from "./registry.js";
import "./webhook-request.js";
import "./fetch-step.js";
import "./step-values.js";

export { registerDeclaredClass as registerClass } from "../shared/serialization/index.js";
export { workflowStub } from "./workflow-stub.js";

/**
 * `closure`: a step declared in a workflow, called as fn(closure, ...args); `self`: a static or
 * object-literal method's owner; an instance-method step gets its `this` with each call.
 */
export function registerStep(id: string, fn: StepFunction, options?: { closure?: boolean; self?: unknown }): void {
  registerStepFn(id, fn, options?.closure === true, options?.self);
}
