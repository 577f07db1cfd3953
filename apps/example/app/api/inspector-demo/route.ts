/** Starts a run of workflows/inspector-demo.ts, for the inspector's tests and screenshots. */
import { start } from "hookline/api";
import { inspectorDemo, inspectorFails, inspectorNaps } from "@/workflows/inspector-demo";

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { workflow?: string; label?: string } | null;
  const label = body?.label ?? "demo";
  if (body?.workflow === "inspectorNaps") return Response.json({ runId: (await start(inspectorNaps, [label])).runId });
  if (body?.workflow === "inspectorFails") return Response.json({ runId: (await start(inspectorFails, [label])).runId });
  return Response.json({ runId: (await start(inspectorDemo, [label])).runId });
}
