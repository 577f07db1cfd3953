/**
 * What an idempotent start costs as keys pile up: a start whose key is already held (answered
 * with the holder's run) timed with one key in the world, then again after thousands more keys,
 * which must not cost more: the key is found through an index, never by listing runs.
 */
import { performance } from "node:perf_hooks";
import type { Runtime } from "../src/runtime.js";
import { WORKFLOWS } from "./bench-app.js";
import { ms, percentile, type Row } from "./report.js";

const KEYS = 5_000;
const SAMPLES = 500;

export async function startKeyCost(runtime: Runtime, label: string): Promise<Row[]> {
  const prefix = `bench-${label}-${Date.now()}`;
  const held = `${prefix}-held`;
  await runtime.start(WORKFLOWS.sequential, [0], { idempotencyKey: held });
  await duplicateStarts(runtime, held); // warms the code path up, so the first figure is not the JIT's
  const few = await duplicateStarts(runtime, held);
  for (let i = 0; i < KEYS; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        runtime.start(WORKFLOWS.sequential, [0], { idempotencyKey: `${prefix}-${i + j}` }),
      ),
    );
  }
  const many = await duplicateStarts(runtime, held);
  return [
    [`${label}: start with a held idempotency key p50 (1 key)`, ms(few), ""],
    [`${label}: the same with ${KEYS.toLocaleString("en")} more keys`, ms(many), ""],
    [`${label}: many keys / one key`, `${(many / few).toFixed(2)}×`, "≤ 1.2×"],
  ];
}

/** p50 of starts that find `key` held. */
async function duplicateStarts(runtime: Runtime, key: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await runtime.start(WORKFLOWS.sequential, [0], { idempotencyKey: key });
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}
