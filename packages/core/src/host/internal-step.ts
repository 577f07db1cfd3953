/** What compiled step-mode code calls (see packages/transform/spec.md). */
import { registerStepFn, type StepFunction } from "./registry.js";
import "./webhook-request.js";
import "./fetch-step.js";

export { workflowStub } from "./workflow-stub.js";

export function registerStep(id: string, fn: StepFunction, options?: { closure?: boolean; self?: unknown }): void {
  registerStepFn(id, fn, options?.closure === true, options?.self);
}
