/**
 * `pnpm bench` for the local world: the cost of its hot operations on the fs driver (and the
 * memory driver for reference), printed as a Markdown table. The runtime's 1,000-step target
 * (DESIGN §5) leaves about 0.5 ms per step for ~2 appends and a read, so an append should cost
 * on the order of 100 µs.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { NewEvent, World } from "@hookline/core/world";
import { createLocalWorld } from "../src/index.js";

const N = Number(process.env.BENCH_N ?? 2_000);

interface Row {
  driver: string;
  operation: string;
  p50: number;
  p99: number;
  mean: number;
}

const rows: Row[] = [];

function record(driver: string, operation: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  rows.push({ driver, operation, p50: at(50), p99: at(99), mean: samples.reduce((a, b) => a + b, 0) / samples.length });
}

async function time(samples: number[], task: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await task();
  samples.push((performance.now() - start) * 1000);
}

const step = (seq: number, type: "step_started" | "step_completed"): NewEvent =>
  type === "step_started"
    ? { type, corr: `o${seq}`, at: Date.now(), data: { stepId: "step//bench//noop", attempt: 1, args: [] } }
    : { type, corr: `o${seq}`, at: Date.now(), data: { stepId: "step//bench//noop", result: { $t: "u" } } };

async function bench(driver: "fs" | "memory"): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-world-bench-"));
  const world: World = createLocalWorld({ driver, dir });
  await world.start();
  try {
    const runId = "wrun_BENCH00000000000000000000";
    await world.append(
      runId,
      { type: "run_created", at: Date.now(), data: { workflowId: "wf//bench", args: [], seed: "s" } },
      { expectedSeq: 0 },
    );
    let seq = 1;
    const appends: number[] = [];
    const reads: number[] = [];
    const wholeStart = performance.now();
    for (let i = 0; i < N; i++) {
      // A step as the runtime records it: started, completed, then a read for newer events (none).
      await time(appends, () => world.append(runId, step(seq, "step_started"), { expectedSeq: seq }));
      seq += 1;
      await time(appends, () => world.append(runId, step(seq, "step_completed"), { expectedSeq: seq }));
      seq += 1;
      await time(reads, () => world.readEvents(runId, seq));
    }
    const perStep = ((performance.now() - wholeStart) * 1000) / N;
    record(driver, "append (step event)", appends);
    record(driver, "readEvents, nothing newer", reads);
    rows.push({ driver, operation: "one step: 2 appends + 1 read", p50: perStep, p99: perStep, mean: perStep });

    const reads10: number[] = [];
    for (let i = 0; i < 200; i++) await time(reads10, () => world.readEvents(runId, seq - 10));
    record(driver, "readEvents, 10 newer", reads10);
    const full: number[] = [];
    for (let i = 0; i < 5; i++) await time(full, () => world.readEvents(runId, 0));
    record(driver, `readEvents, whole log (${seq} events)`, full);

    // Hook lookups among many hooks: one key read each.
    const hashes: string[] = [];
    for (let i = 0; i < 500; i++) {
      const hash = createHash("sha256").update(`token-${i}`).digest("hex");
      hashes.push(hash);
      await world.append(
        runId,
        { type: "hook_created", corr: `h${i}`, at: Date.now(), data: { kind: "webhook", tokenHash: hash } },
        { expectedSeq: seq },
      );
      seq += 1;
    }
    const lookups: number[] = [];
    for (let i = 0; i < 2_000; i++) await time(lookups, () => world.getHook(hashes[i % hashes.length]!));
    record(driver, "getHook (500 hooks)", lookups);
    const misses: number[] = [];
    for (let i = 0; i < 2_000; i++)
      await time(misses, () => world.getHook(`${"0".repeat(60)}${i.toString(16).padStart(4, "0")}`));
    record(driver, "getHook, unknown token", misses);
    const getRuns: number[] = [];
    for (let i = 0; i < 2_000; i++) await time(getRuns, () => world.getRun(runId));
    record(driver, "getRun", getRuns);
  } finally {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await bench("fs");
await bench("memory");

const us = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} µs`;
console.log(`\n### Local world (${N.toLocaleString("en")} steps; node ${process.version})\n`);
console.log("| driver | operation | p50 | p99 | mean |");
console.log("|---|---|---:|---:|---:|");
for (const row of rows)
  console.log(`| ${row.driver} | ${row.operation} | ${us(row.p50)} | ${us(row.p99)} | ${us(row.mean)} |`);
