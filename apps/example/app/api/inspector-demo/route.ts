/** Starts a run of workflows/inspector-demo.ts, for the inspector's tests and screenshots. */
import { start } from "hookline/api";
import { expenseApproval } from "@/workflows/approval";
import { inspectorDemo, inspectorFails, inspectorNaps, inspectorShips } from "@/workflows/inspector-demo";

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { workflow?: string; label?: string } | null;
  const label = body?.label ?? "demo";
  if (body?.workflow === "inspectorNaps") return Response.json({ runId: (await start(inspectorNaps, [label])).runId });
  if (body?.workflow === "inspectorShips")
    return Response.json({ runId: (await start(inspectorShips, [label])).runId });
  // An approval: its hook comes from defineHook({ id, schema }), so the inspector's resume form checks payloads.
  if (body?.workflow === "expenseApproval")
    return Response.json({ runId: (await start(expenseApproval, [label, 12_500, "inspector test"])).runId });
  if (body?.workflow === "inspectorFails")
    return Response.json({ runId: (await start(inspectorFails, [label])).runId });
  return Response.json({ runId: (await start(inspectorDemo, [label])).runId });
}
