import { getRun } from "hookline/api";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const run = getRun((await params).runId);
  const { status } = await run.info(); // "pending" | "running" | "completed" | "failed" | "cancelled"
  const result = status === "completed" ? await run.returnValue : null;
  return Response.json({ status, result, waits: await run.waits() });
}
