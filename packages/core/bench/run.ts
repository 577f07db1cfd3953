/**
 * `pnpm bench` for the runtime: end-to-end figures on the local world with its filesystem
 * driver, printed as a Markdown table. Targets come from DESIGN.md §5.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLocalWorld } from "../../world-local/src/index.js";
import { Runtime, registries, setRuntime } from "../src/runtime.js";
import { buildBenchApp, stepStarts as starts, WORKFLOWS } from "./bench-app.js";
import { childToParent } from "./children.js";
import { dedupeCost } from "./dedupe.js";
import { startToFirstStep, webhookToCompleted } from "./latency.js";
import { ms, percentile, printTable, type Row } from "./report.js";
import { slotCost } from "./slots.js";
import { startKeyCost } from "./start-keys.js";

const app = await buildBenchApp();

async function runtimeOn(dir: string, maxWarmRuns?: number): Promise<Runtime> {
  const runtime = await Runtime.create({
    world: createLocalWorld({ dir }),
    secret: "bench-secret-0123456789abcdef0123456789abcdef",
    bundle: app.bundle,
    steps: registries().steps,
    ...(maxWarmRuns === undefined ? {} : { maxWarmRuns }),
    // Every benchmark request comes from 127.0.0.1: the per-address limit would answer 429.
    webhooks: { rateLimit: false },
  });
  setRuntime(runtime);
  return runtime;
}

const dataDir = () => mkdtemp(join(tmpdir(), "hookline-bench-"));
const rows: Row[] = [];

async function sequentialSteps(n: number): Promise<number> {
  const runtime = await runtimeOn(await dataDir());
  const started = performance.now();
  const run = await runtime.start(WORKFLOWS.sequential, [n]);
  await run.returnValue;
  const elapsed = performance.now() - started;
  await runtime.close();
  return elapsed;
}

// A server has been running for a while when it matters: the first run also pays for
// compiling Hookline's own hot paths, shown separately.
rows.push(["1000 sequential no-op steps, first run in a fresh process", ms(await sequentialSteps(1000)), ""]);
for (const n of [1, 10, 100, 1000]) {
  const elapsed = await sequentialSteps(n);
  rows.push([`${n} sequential no-op steps, end to end (local, fs)`, ms(elapsed), n === 1000 ? "≤ 1.5 s" : ""]);
}

{
  starts.length = 0;
  await sequentialSteps(1000);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  rows.push(["step-to-step overhead p50", ms(percentile(gaps, 50)), "≤ 1 ms"]);
  rows.push(["step-to-step overhead p99", ms(percentile(gaps, 99)), ""]);
}

{
  // A run with 1,000 events (≈ 500 steps) waiting on a hook: resume it warm, then cold.
  const dir = await dataDir();
  let runtime = await runtimeOn(dir);
  const warmRun = await runtime.start(WORKFLOWS.longThenHook, [499, "warm"]);
  const coldRun = await runtime.start(WORKFLOWS.longThenHook, [499, "cold"]);
  for (const token of ["warm", "cold"]) {
    for (;;) {
      const hooks = await runtime.world.listHooks({ status: "active" });
      if (hooks.length === 2 || (token === "cold" && hooks.length >= 1)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const events = (await runtime.world.readEvents(warmRun.runId)).length;
  let t = performance.now();
  await runtime.resumeHook("warm", 1);
  await warmRun.returnValue;
  rows.push([`warm resume of a ${events}-event run (hook → completed)`, ms(performance.now() - t), ""]);
  await runtime.close();
  runtime = await runtimeOn(dir);
  t = performance.now();
  await runtime.resumeHook("cold", 1);
  await runtime.waitForEnd(coldRun.runId);
  rows.push([`cold replay of a ${events}-event run (new process state)`, ms(performance.now() - t), ""]);
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir());
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = await runtime.start(WORKFLOWS.waitForHook, [`h${i}`]);
    for (;;) {
      if ((await runtime.world.listHooks({ runId: run.runId, status: "active" })).length) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    const t = performance.now();
    await runtime.resumeHook(`h${i}`, i);
    await run.returnValue;
    latencies.push(performance.now() - t);
  }
  rows.push(["resumeHook → run completed p50", ms(percentile(latencies, 50)), "≤ 5 ms"]);
  rows.push(["resumeHook → run completed p99", ms(percentile(latencies, 99)), ""]);
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir());
  rows.push(...(await startToFirstStep(runtime)));
  rows.push(...(await webhookToCompleted(runtime)));
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir());
  rows.push(...(await dedupeCost(runtime, "local")));
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir());
  rows.push(...(await startKeyCost(runtime, "local")));
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir());
  rows.push(...(await childToParent(runtime, "local")));
  rows.push(...(await slotCost(runtime, "local")));
  await runtime.close();
}

{
  const runtime = await runtimeOn(await dataDir(), 10_000);
  const count = 500;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) await runtime.start(WORKFLOWS.waitForHook, [`m${i}`]);
  while (runtime.warmRunCount < count || (await runtime.world.listHooks({ status: "active" })).length < count) {
    await new Promise((r) => setTimeout(r, 20));
  }
  globalThis.gc?.();
  const perRun = (process.memoryUsage().heapUsed - before) / count;
  rows.push([`memory per suspended run (${count} warm runs)`, `${(perRun / 1024).toFixed(0)} KiB`, ""]);
  await runtime.close();
}

printTable("@hookline/core — runtime on the local world (filesystem driver)", rows);
process.exit(0);
