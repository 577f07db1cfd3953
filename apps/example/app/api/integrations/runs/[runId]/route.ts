import { getRun, RunNotFoundError } from "hookline/api";

/** Cancels a run: its waits end at once (a webhook URL answers 410) and its timers never fire. */
export async function DELETE(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const run = getRun((await params).runId);
  try {
    await run.cancel("cancelled from the integrations API");
    return Response.json({ runId: run.runId, status: await run.status });
  } catch (error) {
    if (RunNotFoundError.is(error)) return Response.json({ error: "No such run." }, { status: 404 });
    throw error;
  }
}
