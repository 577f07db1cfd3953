/** Starts a ticker run (workflows/ticker.ts): `{ "pausesMs": [0, 5000, …] }`. */
import { start } from "hookline/api";
import { ticker } from "@/workflows/ticker";

export async function POST(request: Request) {
  const { pausesMs } = (await request.json()) as { pausesMs?: unknown };
  if (!Array.isArray(pausesMs) || !pausesMs.every((ms) => Number.isSafeInteger(ms) && ms >= 0)) {
    return Response.json({ error: "pausesMs must be an array of whole milliseconds ≥ 0" }, { status: 400 });
  }
  const run = await start(ticker, [pausesMs as number[]]);
  return Response.json({ runId: run.runId }, { status: 201 });
}
