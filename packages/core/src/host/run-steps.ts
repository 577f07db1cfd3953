/**
 * How a warm run's steps reach the host: the AttemptHost a step attempt records through (the
 * run's serial queue, its streams, manual webhook answers), and the lookup of step code by id in
 * the current build (a step it lacks: missing-step.ts).
 */
import { serializeAsync } from "../shared/serialization/index.js";
import { markStream } from "../shared/stream-ref.js";
import type { WorkflowMetadata } from "../workflow/kernel.js";
import type { NewEvent, WorkflowEvent } from "../world/events.js";
import { missingStep } from "./missing-step.js";
import type { Operation } from "./operations.js";
import type { RunEnvironment } from "./run-environment.js";
import type { AttemptHost } from "./step-attempt.js";
import { StepLauncher } from "./step-launcher.js";
import { pipeIntoStream } from "./streams/stream-pipe.js";
import { openReadable } from "./streams/stream-reader.js";
import { openWritable } from "./streams/stream-writer.js";

/** What the steps need of their run. */
export interface RunStepsPort {
  env: RunEnvironment;
  runId: string;
  workflowId: string;
  metadata: WorkflowMetadata;
  isOpen(op: Operation): boolean;
  record: AttemptHost["record"];
  /** A manual webhook request was answered already, or the run ended. */
  answered(requestId: string): boolean;
  appendExternal(make: () => NewEvent | null): Promise<WorkflowEvent | null>;
  /** The bundle the run replays with, and when its last event was recorded. */
  bundleId(): string | undefined;
  lastEventAt(): number;
}

export function runStepLauncher(port: RunStepsPort): StepLauncher {
  const { env, runId } = port;
  const attemptHost: AttemptHost = {
    runId,
    workflowId: port.workflowId,
    metadata: port.metadata,
    retry: env.retry,
    isOpen: port.isOpen,
    record: port.record,
    // A step's answer to a manual webhook request (the waiting HTTP handler hears of the append).
    respond: async (requestId, response) => {
      const recorded = await serializeAsync(response, "response");
      const make = (): NewEvent | null =>
        port.answered(requestId)
          ? null
          : { type: "webhook_responded", at: Date.now(), data: { requestId, response: recorded } };
      await port.appendExternal(make);
    },
    webhookToken: (run, hookId, keyId) => env.tokens.webhookToken(run, hookId, keyId),
    writable: (namespace) => openWritable(env.world.streams, runId, namespace, env.streams),
    // Marked with its namespace: passed on again, it is recorded as the same stream, not copied.
    readable: (namespace) =>
      markStream(
        openReadable(async () => env.world, runId, { namespace, startIndex: 0 }),
        { kind: "readable", namespace },
      ),
    pipe: (stream, namespace) => pipeIntoStream(env.world.streams, runId, namespace, stream, env.streams, env.report),
  };
  const findStep = async (stepId: string) =>
    (await env.findStep(stepId)) ??
    missingStep({
      runId,
      stepId,
      runBundleId: port.bundleId(),
      currentBundleId: env.currentBundleId(),
      lastEventAt: port.lastEventAt(),
      waitMs: env.missingStepWaitMs,
    });
  return new StepLauncher(findStep, attemptHost, env.report);
}
