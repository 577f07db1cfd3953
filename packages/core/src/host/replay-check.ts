/**
 * Replays a recorded log against a workflow bundle without running anything: no step, no
 * append, no timer. The run is rebuilt in memory exactly as a restart rebuilds it (WarmRun.open),
 * on a read-only view of the log, so what diverges here diverges in production.
 *
 *   const report = await checkLog(events, bundle);
 *   if (!report.ok) console.log(report.divergence?.recorded, "→", report.divergence?.actual);
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import type vm from "node:vm";
import { ReplayDivergenceError, WorldError } from "../shared/errors.js";
import type { HostBridge } from "../workflow/kernel.js";
import { TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import { ConcurrencySlots } from "./concurrency-slots.js";
import { checkOnWorkers, workerScript } from "./replay-pool.js";
import type { RunEnvironment } from "./run-environment.js";
import type { Sandbox, WorkflowBundle } from "./sandbox.js";
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
/** Never asked: a check appends nothing, so no run takes a slot. */
const slots = new ConcurrencySlots(readOnlyWorld([]), () => {});

/**
 * Contexts of a bundle that checks reuse, one check at a time each (a new context costs more than
 * replaying 50 events): the bundle runs again in it, so its modules start afresh.
 */
const contexts = new WeakMap<WorkflowBundle, vm.Context[]>();

/** `bundle`, running its sandbox in a reused context of its pool; `release()` gives the context back. */
function leaseBundle(bundle: WorkflowBundle): { bundle: WorkflowBundle; release(): void } {
  const pool = contexts.get(bundle) ?? [];
  contexts.set(bundle, pool);
  let context = pool.pop();
  const leased = {
    id: bundle.id,
    source: bundle.source,
    workflowIds: () => bundle.workflowIds(),
    remapStack: (stack: string) => bundle.remapStack(stack),
    createSandbox(bridge: HostBridge, isLive: () => boolean): Sandbox {
      const sandbox = bundle.createSandbox(bridge, isLive, context);
      context = sandbox.context;
      return sandbox;
    },
  };
  return { bundle: leased as unknown as WorkflowBundle, release: () => context && pool.push(context) };
}

/** Replays `events` (one run's log, from its run_created) on `bundle`; the run's end, if recorded, is left out. */
export async function checkLog(events: WorkflowEvent[], bundle: WorkflowBundle): Promise<ReplayReport> {
  const first = events[0];
  if (first?.type !== "run_created")
    throw new WorldError(`A log to replay starts with run_created, got ${first?.type ?? "no events"}.`);
  const log = TERMINAL_RUN_EVENTS.has(events.at(-1)!.type) ? events.slice(0, -1) : events;
  const world = readOnlyWorld(log);
  const lease = leaseBundle(bundle);
  // Only hook URLs depend on the secret, and they are never compared: any secret will do.
  issuer ??= new TokenIssuer([randomBytes(32).toString("hex")]);
  const env: RunEnvironment = {
    world,
    tokens: issuer,
    retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 3_600_000 },
    streams: { maxChunkBytes: 1 << 20 },
    slots,
    bundleFor: async () => lease.bundle,
    currentBundleId: () => bundle.id,
    missingStepWaitMs: 0,
    findStep: async () => undefined,
    report: () => {},
    startChild: refuse,
    cancelRun: refuse,
  };
  const base = { runId: first.runId, workflowId: first.data.workflowId };
  const run = await WarmRun.open(env, first.runId).finally(() => lease.release());
  const failure = run?.replayFailure ?? null;
  if (!failure) return { ...base, ok: true };
  if (ReplayDivergenceError.is(failure) && failure.seq !== undefined) {
    return {
      ...base,
      ok: false,
      divergence: { seq: failure.seq, recorded: failure.recorded!, actual: failure.actual! },
      message: failure.message,
    };
  }
  return { ...base, ok: false, message: failure.message };
}

/** Checks at once: their waits for the event loop overlap (each check holds a context of its own). */
const CONCURRENCY = 4;

/** Logs from which checks run on worker threads (fewer are done before workers would have started). */
const PARALLEL_FROM = 200;

/**
 * `checkLog` of each log; reports in the logs' order. Many logs are checked on every core: here
 * and on worker threads (see replay-pool.ts); a few are checked here only.
 */
export async function checkLogs(
  logs: Iterable<WorkflowEvent[]> | AsyncIterable<WorkflowEvent[]>,
  bundle: WorkflowBundle,
): Promise<ReplayReport[]> {
  const iterator = Symbol.asyncIterator in logs ? logs[Symbol.asyncIterator]() : toAsync(logs[Symbol.iterator]());
  const first: WorkflowEvent[][] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    first.push(next.value);
    if (first.length < PARALLEL_FROM) continue;
    // This thread checks too: one worker for each other core.
    const workers = Math.min(availableParallelism() - 1, MAX_WORKERS);
    const script = workers > 0 ? workerScript() : null;
    if (script) return checkOnWorkers(script, first, iterator, bundle, workers);
    return checkLogsHere(concat(first, iterator), bundle);
  }
  return checkLogsHere(first, bundle);
}

/** Workers at most, whatever the cores: each holds the bundle and its contexts. */
const MAX_WORKERS = 8;

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}

async function* concat<T>(first: T[], rest: AsyncIterator<T>): AsyncIterable<T> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** `checkLog` of each log in this thread, a few at a time; reports in the logs' order. */
export async function checkLogsHere(
  logs: Iterable<WorkflowEvent[]> | AsyncIterable<WorkflowEvent[]>,
  bundle: WorkflowBundle,
): Promise<ReplayReport[]> {
  const reports: Promise<ReplayReport>[] = [];
  const running = new Set<Promise<unknown>>();
  for await (const events of logs) {
    const report = checkLog(events, bundle);
    reports.push(report);
    const settled: Promise<unknown> = report.then(
      () => running.delete(settled),
      () => running.delete(settled),
    );
    running.add(settled);
    if (running.size >= CONCURRENCY) await Promise.race(running);
  }
  return Promise.all(reports);
}

/** Logs being read at once by checkRuns. */
const READ_AHEAD = 16;

/**
 * Checks every unfinished run of `world` on `bundle` (runs of other builds too: they are what a
 * deploy of `bundle` would meet if moved). Reads the logs a page of runs at a time.
 */
export async function checkRuns(
  world: World,
  bundle: WorkflowBundle,
  options: { pageSize?: number } = {},
): Promise<ReplayReport[]> {
  const pageSize = options.pageSize ?? 500;
  async function* logs(): AsyncIterable<WorkflowEvent[]> {
    let before: { createdAt: number; runId: string } | undefined;
    for (;;) {
      const page = await world.listRuns({
        status: ["pending", "running"],
        limit: pageSize,
        ...(before ? { before } : {}),
      });
      // Read ahead, a few logs at a time: the next logs are read while earlier ones replay, and
      // the first is handed on once read (not once the whole page is).
      const reads: Promise<WorkflowEvent[]>[] = [];
      let next = 0;
      const readAhead = () => {
        while (next < page.length && reads.length < READ_AHEAD) reads.push(world.readEvents(page[next++]!.runId));
      };
      readAhead();
      while (reads.length > 0) {
        const events = await reads.shift()!;
        readAhead();
        yield events;
      }
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      before = { createdAt: last.createdAt, runId: last.runId };
    }
  }
  return checkLogs(logs(), bundle);
}
