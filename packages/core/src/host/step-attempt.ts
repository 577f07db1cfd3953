/**
 * One attempt of a step inside a run: recorded as started (durably, before the body runs, so
 * attempts are counted exactly even when the process dies at once), run, and its outcome
 * recorded — unless the run ended or the step was settled elsewhere meanwhile.
 */
import { FatalError } from "../shared/errors.js";
import type { WorkflowMetadata } from "../workflow/kernel.js";
import type { NewEvent } from "../world/events.js";
import type { Operation } from "./operations.js";
import type { RegisteredStep, StepContext } from "./registry.js";
import { maxRetriesOf, type RetryPolicy, recordError, runStep } from "./step-runner.js";

/** What an attempt needs from its run. */
export interface AttemptHost {
  readonly runId: string;
  readonly workflowId: string;
  readonly metadata: WorkflowMetadata;
  readonly retry: RetryPolicy;
  /** The run is still going and `op` still open. */
  isOpen(op: Operation): boolean;
  /**
   * In the run's serial queue: `before()`, then append `make()` while `condition` holds, then
   * (with `advance`) do the run's due work.
   */
  record(options: {
    before?: () => void;
    condition: () => boolean;
    make: () => NewEvent;
    advance: boolean;
  }): Promise<void>;
  respond(requestId: string, response: Response): Promise<void>;
  webhookToken(runId: string, hookId: string, keyId: string | undefined): string | null;
  writable(namespace: string): WritableStream<unknown>;
  readable(namespace: string): ReadableStream<unknown>;
  /** Copies `stream` into the run's stream `namespace` (in the background). */
  pipe(stream: ReadableStream<unknown>, namespace: string): void;
}

export async function attemptStep(
  host: AttemptHost,
  op: Operation,
  step: RegisteredStep | undefined,
  startedAt: number,
): Promise<void> {
  const stepId = op.stepId!;
  const attempt = op.attempts + 1;
  const open = () => host.isOpen(op);
  let pipes = 0;
  // No longer in flight once its outcome is being recorded: the advance after it may schedule the retry.
  const settle = (make: () => NewEvent) =>
    host.record({ before: () => (op.inFlight = false), condition: open, make, advance: true });

  if (attempt > maxRetriesOf(step, host.retry) + 1) {
    // Earlier attempts were started but never finished: the process stopped during each.
    const error = await recordError(
      new FatalError(
        `Step "${stepId}" did not finish in ${attempt - 1} attempts: the process stopped while it was running each time.`,
      ),
    );
    await settle(() => ({
      type: "step_failed",
      corr: op.corr,
      at: Date.now(),
      data: { stepId, attempt: attempt - 1, error },
    }));
    return;
  }
  await host.record({
    condition: () => open() && op.attempts < attempt,
    make: () => ({ type: "step_started", corr: op.corr, at: startedAt, data: { stepId, attempt, args: op.args } }),
    advance: false,
  });
  const context: StepContext = {
    runId: host.runId,
    workflowId: host.workflowId,
    workflowName: host.metadata.workflowName,
    runStartedAt: host.metadata.startedAt,
    url: host.metadata.url,
    stepId,
    stepName: stepId.split("//").pop() ?? stepId,
    corr: op.corr,
    attempt,
    startedAt,
    firstStartedAt: op.firstStartedAt ?? startedAt,
    respond: (requestId, response) => host.respond(requestId, response),
    webhookToken: (runId, hookId, keyId) => host.webhookToken(runId, hookId, keyId),
    writable: (namespace) => host.writable(namespace),
    readable: (namespace) => host.readable(namespace),
    // Named by the step call and attempt, so a retry never writes into an earlier attempt's copy.
    pipe: (stream) => {
      const namespace = `step.${op.corr}.${attempt}.${pipes++}`;
      host.pipe(stream, namespace);
      return namespace;
    },
  };
  const outcome = await runStep(step, context, op, host.retry);
  await settle(() =>
    outcome.ok
      ? { type: "step_completed", corr: op.corr, at: Date.now(), data: { stepId, result: outcome.result } }
      : {
          type: "step_failed",
          corr: op.corr,
          at: Date.now(),
          data: {
            stepId,
            attempt,
            error: outcome.error,
            ...(outcome.retryAt === undefined ? {} : { retryAt: outcome.retryAt }),
          },
        },
  );
}
