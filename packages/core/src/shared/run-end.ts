/**
 * How a run's end reads to whoever awaits it: `Run.returnValue` on the server and a child run's
 * `returnValue` in its parent's workflow throw the same errors, built here once.
 */
import { WorkflowRunCancelledError, WorkflowRunFailedError } from "./errors.js";
import { deserialize } from "./serialization/index.js";

/** A run that did not complete: its recorded error, or its cancellation reason. */
export type UnsuccessfulEnd = { status: "failed"; error: unknown } | { status: "cancelled"; reason?: string };

export function runEndError(runId: string, end: UnsuccessfulEnd): Error {
  if (end.status === "failed") return new WorkflowRunFailedError(runId, deserialize(end.error));
  return new WorkflowRunCancelledError(`Run ${runId} was cancelled${end.reason ? `: ${end.reason}` : "."}`, { runId });
}
