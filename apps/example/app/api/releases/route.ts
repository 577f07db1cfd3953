import { start } from "hookline/api";
import { type ReleaseWait, release } from "@/workflows/release";

const WAITS = new Set<ReleaseWait>(["sleep", "hook", "retry"]);

/** Starts a release that sleeps, waits for a go-ahead, or backs off a flaky step (workflows/release.ts). */
export async function POST(request: Request) {
  const { id, wait } = (await request.json()) as { id?: unknown; wait?: unknown };
  if (typeof id !== "string" || !WAITS.has(wait as ReleaseWait)) {
    return Response.json({ error: 'id must be a string and wait one of "sleep", "hook", "retry"' }, { status: 400 });
  }
  const run = await start(release, [id, wait as ReleaseWait]);
  return Response.json({ runId: run.runId });
}
