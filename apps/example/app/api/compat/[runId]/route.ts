/**
 * GET: a compat run's outcome as SDK code reads it (await run.returnValue, then the error's
 * shape); DELETE: cancels it.
 */
import { getRun, WorkflowRunCancelledError, WorkflowRunFailedError } from "hookline/api";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const run = getRun((await params).runId);
  try {
    return Response.json({ result: await run.returnValue });
  } catch (error) {
    if (WorkflowRunFailedError.is(error)) {
      const { name, message, code, stack } = error.cause;
      return Response.json({
        failed: {
          name: error.name,
          runId: error.runId,
          errorCode: error.errorCode,
          cause: { name, message, code, stack },
        },
      });
    }
    if (WorkflowRunCancelledError.is(error))
      return Response.json({ cancelled: { name: error.name, runId: error.runId } });
    throw error;
  }
}

export async function DELETE(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  await getRun((await params).runId).cancel();
  return new Response(null, { status: 204 });
}
