/**
 * What `hookline check-replay` / replayLog() cost: 1,000 in-flight runs of 50 events each (24
 * steps done, waiting for a hook) replayed on the current bundle without running anything,
 * from logs in memory and through the local world (reading each log from disk). DESIGN §5 and
 * issue #15: ≤ 1 s per 1,000 runs of 50 events. Its own process, without --expose-gc (which
 * makes every new vm context slower). The checks run from the built package, as users run them:
 * checkLogs checks on every core (this thread and a worker per other core, started within the
 * measured call); the one-thread rows show what one core does.
 */

import { mkdtemp } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLocalWorld } from "../../world-local/src/index.js";
import { checkLogsHere } from "../src/host/replay-check.js";
import { WorkflowBundle } from "../src/host/sandbox.js";
import { Runtime, registries } from "../src/runtime.js";
import { bundleIdOf } from "../src/world/bundles.js";
import type { NewEvent, WorkflowEvent } from "../src/world/events.js";
import { buildBenchApp, WORKFLOWS } from "./bench-app.js";
import { ms, printTable, type Row } from "./report.js";

// The checks as users run them: check-replay and replayLog load the built package, whose workers
// start in about 75 ms (from TypeScript sources each worker would first load tsx, about 420 ms).
// Imported at run time: `pnpm bench` builds the packages first; type checks run before any build.
const BUILT_RUNTIME = "../dist/runtime.js";
const {
  checkLogs,
  checkRuns,
  WorkflowBundle: BuiltBundle,
} = (await import(BUILT_RUNTIME)) as typeof import("../src/runtime.js");

const RUNS = 1_000;

async function replayCheckCost(runtime: Runtime, bundleCode: string, worldDir: string): Promise<Row[]> {
  // One real run recorded by the runtime: 24 steps, then waiting on a hook (51 events).
  const run = await runtime.start(WORKFLOWS.longThenHook, [24, "replay-check"]);
  for (;;) {
    if ((await runtime.world.listHooks({ runId: run.runId, status: "active" })).length) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const log = await runtime.world.readEvents(run.runId);
  await runtime.close();
  const bundle = new BuiltBundle({ code: bundleCode }, bundleIdOf(bundleCode));
  // Copies of it, each hook with a token of its own (a token is held by one active hook).
  const copy = (e: WorkflowEvent, i: number): WorkflowEvent =>
    e.type === "hook_created"
      ? { ...e, runId: `wrun_check_${i}`, data: { ...e.data, tokenHash: bundleIdOf(`token ${i}`) } }
      : { ...e, runId: `wrun_check_${i}` };
  const logs: WorkflowEvent[][] = Array.from({ length: RUNS }, (_, i) => log.map((e) => copy(e, i)));
  await checkLogs(logs.slice(0, 100), bundle);
  let t = performance.now();
  const cpu = process.cpuUsage();
  const clean = (await checkLogs(logs, bundle)).filter((r) => r.ok).length;
  const inMemory = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // On a shared machine wall time includes other processes' turns; CPU time is this check's own.
  const cpuMs = (used.user + used.system) / 1000;
  if (clean !== RUNS) throw new Error(`only ${clean} of ${RUNS} logs replayed cleanly`);
  t = performance.now();
  const oneCpu = process.cpuUsage();
  await checkLogsHere(logs, new WorkflowBundle({ code: bundleCode }, bundleIdOf(bundleCode)));
  const oneThread = performance.now() - t;
  const oneUsed = process.cpuUsage(oneCpu);

  // The same logs as in-flight runs of a local world (what check-replay pays there).
  const world = createLocalWorld({ dir: worldDir });
  await world.start();
  for (const events of logs) {
    for (const [seq, { v: _v, runId: _r, seq: _s, ...event }] of events.entries()) {
      await world.append(events[0]!.runId, event as NewEvent, { expectedSeq: seq });
    }
  }
  t = performance.now();
  const reports = await checkRuns(world, bundle);
  const throughWorld = performance.now() - t;
  await world.close();
  return [
    [
      `replay check of ${RUNS} runs × ${log.length} events, logs in memory (built package, ${availableParallelism()} cores)`,
      ms(inMemory),
      "≤ 1 s",
    ],
    ["the same, CPU time of this process (all threads)", ms(cpuMs), ""],
    ["the same in this thread only (no workers; from sources)", ms(oneThread), ""],
    ["the same in this thread only, CPU time", ms((oneUsed.user + oneUsed.system) / 1000), ""],
    [`the same as the in-flight runs of a local world (fs; ${reports.length} logs read)`, ms(throughWorld), ""],
  ];
}

const app = await buildBenchApp();
const dataDir = () => mkdtemp(join(tmpdir(), "hookline-bench-"));
const runtime = await Runtime.create({
  world: createLocalWorld({ dir: await dataDir() }),
  secret: "bench-secret-0123456789abcdef0123456789abcdef",
  bundle: app.bundle,
  steps: registries().steps,
});
// The runtime records the run the checks replay, then closes.
printTable(
  "@hookline/core — replay checks (check-replay, replayLog)",
  await replayCheckCost(runtime, app.bundle.code, await dataDir()),
);
process.exit(0);
