/**
 * What a concurrency limit costs: taking and giving back a free slot (World.slots), with one key
 * in the world and again after thousands of other keys hold slots (which must not cost more: a
 * key's rows are found by its key alone), and a 10-step run started with a limit against the same
 * run without one (a run takes its slot once per active stretch, not once per step).
 */
import { performance } from "node:perf_hooks";
import type { Runtime } from "../src/runtime.js";
import { WORKFLOWS } from "./bench-app.js";
import { ms, percentile, type Row } from "./report.js";

const KEYS = 2_000;
const SAMPLES = 300;
const RUNS = 50;

export async function slotCost(runtime: Runtime, label: string): Promise<Row[]> {
  const prefix = `bench-${label}-${Date.now()}`;
  await acquireRelease(runtime, `${prefix}-key`); // warms the code path up
  const few = await acquireRelease(runtime, `${prefix}-key`);
  for (let i = 0; i < KEYS; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        runtime.world.slots.acquire({
          key: `${prefix}-other-${i + j}`,
          limit: 1,
          runId: `run-${i + j}`,
          owner: "bench",
        }),
      ),
    );
  }
  // A key of its own, so the figure is not that of the first key's churn (PostgreSQL: its dead rows until vacuum).
  const many = await acquireRelease(runtime, `${prefix}-key-2`);
  await tenSteps(runtime, {}); // warms the run path up
  const free = await tenSteps(runtime, {});
  const limited = await tenSteps(runtime, { concurrency: { key: `${prefix}-runs`, limit: RUNS } });
  return [
    [`${label}: take + give back a free concurrency slot p50 (1 key)`, ms(few), ""],
    [`${label}: the same with ${KEYS.toLocaleString("en")} other keys held`, ms(many), ""],
    [`${label}: many keys / one key`, `${(many / few).toFixed(2)}×`, "≤ 1.2×"],
    [`${label}: 10-step run with a concurrency limit p50 (no contention)`, ms(limited), ""],
    [`${label}: the same run without a limit p50`, ms(free), ""],
  ];
}

/** p50 of one acquire of a free slot plus its release. */
async function acquireRelease(runtime: Runtime, key: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await runtime.world.slots.acquire({ key, limit: 1, runId: `run-${i}`, owner: "bench" });
    await runtime.world.slots.release(key, `run-${i}`, "bench");
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

/** p50 of start → end of 10 sequential no-op steps, one run at a time. */
async function tenSteps(runtime: Runtime, options: Parameters<Runtime["start"]>[2]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const run = await runtime.start(WORKFLOWS.sequential, [10], options);
    await run.returnValue;
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}
