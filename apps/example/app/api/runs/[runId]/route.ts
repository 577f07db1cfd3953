import { describeRun } from "@/lib/runs";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const view = await describeRun((await params).runId);
  if (!view) return Response.json({ error: "No such run." }, { status: 404 });
  return Response.json(view);
}
