/**
 * A failed run's error as server code meets it: `run.error`, and the cause of what
 * `run.returnValue` rejects with, which this route also logs, as an app logs a failure.
 */
import { getRun, WorkflowRunFailedError } from "hookline/api";

export const dynamic = "force-dynamic";

function shape(error: Error | undefined) {
  return error && { name: error.name, message: error.message, stack: error.stack };
}

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const run = getRun((await params).runId);
  try {
    return Response.json({ result: await run.returnValue });
  } catch (error) {
    if (!WorkflowRunFailedError.is(error)) throw error;
    console.error(`[example] run ${run.runId} failed:`, error.cause);
    return Response.json({ error: shape(await run.error), cause: shape(error.cause) });
  }
}
