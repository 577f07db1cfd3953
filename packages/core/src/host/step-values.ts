/**
 * Step functions as values on the host. A step receiving one (or server code reading one from a
 * run's result) gets a function that runs the step's body directly, in this process: it is part
 * of the step that calls it (recorded with that step, retried with it), as in the Workflow SDK.
 * Only in a workflow is calling a step a durable step of its own (see workflow/internal.ts).
 */
import { StepNotRegisteredError } from "../shared/errors.js";
import { markStepFunction, setStepReviver } from "../shared/step-ref.js";
import { type RegisteredStep, registries } from "./registry.js";

/** Calls a registered step's body with its owner, closure or neither. */
export function invokeStep(step: RegisteredStep, closure: unknown, argv: unknown[]): unknown {
  const fn = step.fn;
  if (step.self !== undefined) return Reflect.apply(fn, step.self, argv);
  // Called without a receiver, so its stack frame reads `at chargeCard (…)`, not `at Object.chargeCard [as fn]`.
  return step.closure ? fn(closure, ...argv) : fn(...argv);
}

setStepReviver((id, closure) => {
  const name = id.split("//").pop() ?? id;
  const revived = async (...args: unknown[]) => {
    const step = registries().steps.get(id);
    if (!step) {
      throw new StepNotRegisteredError(
        `The step function "${name}" (${id}) was passed here, but it is not registered in this process: its file was not compiled in step mode, or it was renamed or removed.`,
      );
    }
    return invokeStep(step, closure, args);
  };
  Object.defineProperty(revived, "name", { value: name, configurable: true });
  return markStepFunction(revived, id, closure && (() => closure));
});
