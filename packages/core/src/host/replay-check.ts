/**
 * Replays a recorded log against a workflow bundle without running anything: no step, no
 * append, no timer. The run is rebuilt in memory exactly as a restart rebuilds it (WarmRun.open),
 * on a read-only view of the log, so what diverges here diverges in production.
 *
 *   const report = await checkLog(events, bundle);
 *   if (!report.ok) console.log(report.divergence?.recorded, "→", report.divergence?.actual);
 */
import { randomBytes } from "node:crypto";
import { ReplayDivergenceError, WorldError } from "../shared/errors.js";
import { TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import { ConcurrencySlots } from "./concurrency-slots.js";
import type { RunEnvironment } from "./run-environment.js";
import type { WorkflowBundle } from "./sandbox.js";
import { TokenIssuer } from "./tokens.js";
import { WarmRun } from "./warm-run.js";

export interface ReplayReport {
  runId: string;
  workflowId: string;
  /** The log replays on the bundle: every recorded call is the call the code makes. */
  ok: boolean;
  /** Where it diverged: the event, what the log recorded and what the code now does. */
  divergence?: { seq: number; recorded: string; actual: string };
  /** Why it cannot replay (a divergence, a workflow missing from the bundle …), in words. */
  message?: string;
}

const refuse = (): never => {
  throw new WorldError("A replay check writes nothing.");
};

/** A world that holds only `events` and refuses every write. */
function readOnlyWorld(events: WorkflowEvent[]): World {
  const world = {
    name: "replay-check",
    readEvents: async (_runId: string, afterSeq = 0) => events.filter((e) => e.seq > afterSeq),
    append: refuse,
    onAppend: () => () => {},
    queue: { enqueue: refuse, consume: refuse },
  };
  return world as unknown as World;
}

let issuer: TokenIssuer | null = null;

/** Replays `events` (one run's log, from its run_created) on `bundle`; the run's end, if recorded, is left out. */
export async function checkLog(events: WorkflowEvent[], bundle: WorkflowBundle): Promise<ReplayReport> {
  const first = events[0];
  if (first?.type !== "run_created") throw new WorldError(`A log to replay starts with run_created, got ${first?.type ?? "no events"}.`);
  const log = TERMINAL_RUN_EVENTS.has(events.at(-1)!.type) ? events.slice(0, -1) : events;
  const world = readOnlyWorld(log);
  // Only hook URLs depend on the secret, and they are never compared: any secret will do.
  issuer ??= new TokenIssuer([randomBytes(32).toString("hex")]);
  const env: RunEnvironment = {
    world,
    tokens: issuer,
    retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 3_600_000 },
    streams: { maxChunkBytes: 1 << 20 },
    slots: new ConcurrencySlots(world, () => {}),
    bundleFor: async () => bundle,
    currentBundleId: () => bundle.id,
    missingStepWaitMs: 0,
    findStep: async () => undefined,
    report: () => {},
    startChild: refuse,
    cancelRun: refuse,
  };
  const base = { runId: first.runId, workflowId: first.data.workflowId };
  const run = await WarmRun.open(env, first.runId);
  const failure = run?.replayFailure ?? null;
  if (!failure) return { ...base, ok: true };
  if (ReplayDivergenceError.is(failure) && failure.seq !== undefined) {
    return { ...base, ok: false, divergence: { seq: failure.seq, recorded: failure.recorded!, actual: failure.actual! }, message: failure.message };
  }
  return { ...base, ok: false, message: failure.message };
}

/**
 * Checks every unfinished run of `world` on `bundle` (runs of other builds too: they are what a
 * deploy of `bundle` would meet if moved). Reads the logs a page of runs at a time.
 */
export async function checkRuns(world: World, bundle: WorkflowBundle, options: { pageSize?: number } = {}): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  let before: { createdAt: number; runId: string } | undefined;
  for (;;) {
    const page = await world.listRuns({ status: ["pending", "running"], limit: options.pageSize ?? 500, ...(before ? { before } : {}) });
    for (const run of page) reports.push(await checkLog(await world.readEvents(run.runId), bundle));
    const last = page.at(-1);
    if (!last || page.length < (options.pageSize ?? 500)) return reports;
    before = { createdAt: last.createdAt, runId: last.runId };
  }
}
