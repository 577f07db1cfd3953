/**
 * A step the current build does not have. A run of the current build fails at once: no instance
 * will have it. A run another build started may reach a step this build removed or renamed; during
 * a rolling deploy (several instances on one shared world) an instance of that build may still be
 * up, so for `waitMs` after the run last moved the drive is given back undone (its queue message
 * comes again later, maybe to that instance); after that the step fails with StepNotRegisteredError,
 * fatally, naming the step and both builds.
 */
import { StepNotRegisteredError } from "../shared/errors.js";
import type { RegisteredStep } from "./registry.js";

/** Thrown by a drive that leaves a step for an instance that has it: nothing was recorded. */
export class StepElsewhereError extends Error {
  override name = "StepElsewhereError";
}

export interface MissingStepContext {
  runId: string;
  stepId: string;
  /** The bundle the run replays with, and the current build's (undefined: unknown). */
  runBundleId: string | undefined;
  currentBundleId: string | undefined;
  /** When the run's last event was recorded (ms): the wait counts from there. */
  lastEventAt: number;
  /** How long to leave the step to another build's instance (0: fail at once). */
  waitMs: number;
}

const short = (id: string | undefined) =>
  id === undefined ? "an unrecorded build (a run older than bundle ids)" : `build ${id.slice(0, 12)}`;

/** A stand-in step that fails fatally with StepNotRegisteredError, or StepElsewhereError while waiting. */
export function missingStep(context: MissingStepContext): RegisteredStep {
  const { runId, stepId, runBundleId, currentBundleId } = context;
  const otherBuild = runBundleId !== undefined && runBundleId !== currentBundleId;
  if (otherBuild && Date.now() < context.lastEventAt + context.waitMs) {
    throw new StepElsewhereError(
      `Step "${stepId}" of run ${runId} is not in this build; left for an instance of ${short(runBundleId)}.`,
    );
  }
  const message = otherBuild
    ? `Step "${stepId}" is not registered in the current build (${short(currentBundleId)}), but run ${runId}, started on ${short(runBundleId)}, calls it: it was renamed or removed by a deploy. Keep the step in the new build (as a deprecated function) until the runs of the old build have finished, or move the runs with upgradeRun() after changing the workflow.`
    : `Step "${stepId}" is not registered in this process (${short(currentBundleId)}): its file was not compiled in step mode, or it was renamed or removed since run ${runId} started.`;
  const fn = Object.assign(
    () => {
      throw new StepNotRegisteredError(message);
    },
    { maxRetries: 0 },
  );
  return { id: stepId, fn, closure: false };
}
