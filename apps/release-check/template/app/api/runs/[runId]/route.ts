import { getRun } from "hookline/api";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const run = getRun((await params).runId);
  const info = await run.info();
  const waits = await run.waits();
  return Response.json({ status: info.status, result: info.status === "completed" ? await run.returnValue : null, waits });
}
