import { getRun, RunNotFoundError } from "hookline/api";

/** The order's run and who started it (`parentRunId` names the order for a parcel's run). */
export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    const info = await getRun((await params).runId).info();
    return Response.json({
      runId: info.runId,
      workflow: info.workflowName,
      status: info.status,
      parentRunId: info.parentRunId ?? null,
    });
  } catch (error) {
    if (RunNotFoundError.is(error)) return Response.json({ error: "No such run." }, { status: 404 });
    throw error;
  }
}

/** Cancels the order: its parcels still running are cancelled with it, its customs run is not. */
export async function DELETE(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  await getRun((await params).runId).cancel("order cancelled by the customer");
  return Response.json({ cancelled: true });
}
