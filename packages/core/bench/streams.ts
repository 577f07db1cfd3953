/**
 * `pnpm bench` for streams (DESIGN.md §5): chunks per second one step writes, write → visible to
 * a reader (one process on the local world; two instances on PostgreSQL), and replay time of a
 * 1,000-step run with and without 100,000 chunks in its stream. Printed as Markdown tables.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLocalWorld } from "../../world-local/src/index.js";
import { createPostgresWorld } from "../../world-postgres/src/index.js";
import { createTestDatabase, type TestDatabase } from "../../world-postgres/test/support/database.js";
import { resolvePostgresServer } from "../../world-postgres/test/support/server.js";
import { openReadable } from "../src/host/streams/stream-reader.js";
import { Runtime, registries, setRuntime } from "../src/runtime.js";
import type { World } from "../src/world/world.js";
import { compileApp } from "../test/support/app.js";
import { ms, percentile, printTable, type Row } from "./report.js";

const SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const WF = "workflow//workflows/streams.ts//";

const app = await compileApp({
  "workflows/streams.ts": `
    import { createHook, getWritable } from "hookline";
    export async function burst(n: number) {
      "use workflow";
      return write(getWritable(), n);
    }
    async function write(writable: WritableStream<string>, n: number) {
      "use step";
      const writer = writable.getWriter();
      const started = performance.now();
      for (let i = 0; i < n; i++) await writer.write("chunk " + i);
      return performance.now() - started;
    }
    export async function ticks(n: number, everyMs: number) {
      "use workflow";
      await tick(getWritable(), n, everyMs);
    }
    async function tick(writable: WritableStream<number>, n: number, everyMs: number) {
      "use step";
      const writer = writable.getWriter();
      for (let i = 0; i < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        await writer.write(performance.now());
      }
    }
    export async function longRun(steps: number, token: string) {
      "use workflow";
      for (let i = 0; i < steps; i++) await noop();
      return await createHook<number>({ token });
    }
    async function noop() { "use step"; }
  `,
});

const rows: Row[] = [];
const dataDir = () => mkdtemp(join(tmpdir(), "hookline-bench-streams-"));

/** Lets the drive that recorded the run's end acknowledge its queue message before the world closes. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function runtimeOn(world: World): Promise<Runtime> {
  const runtime = await Runtime.create({ world, secret: SECRET, bundle: app.bundle, steps: registries().steps });
  setRuntime(runtime);
  return runtime;
}

async function chunksPerSecond(world: World, n: number): Promise<number> {
  const runtime = await runtimeOn(world);
  const run = await runtime.start(`${WF}burst`, [n]);
  const elapsed = (await run.returnValue) as number;
  await settle();
  await runtime.close();
  return (n / elapsed) * 1000;
}

/** write() resolved in the step → the chunk came out of a reader's ReadableStream (same clock: one process). */
async function visibleLatency(writer: World, reader: World, n: number): Promise<number[]> {
  const runtime = await runtimeOn(writer);
  if (reader !== writer) await reader.start();
  const run = await runtime.start(`${WF}ticks`, [n, 3]);
  const latencies: number[] = [];
  const readable = openReadable<number>(async () => reader, run.runId, { namespace: "default", startIndex: 0 });
  for await (const writtenAt of readable as unknown as AsyncIterable<number>)
    latencies.push(performance.now() - writtenAt);
  await settle();
  await runtime.close();
  return latencies;
}

/**
 * A 1,000-step run waiting on a hook, with `chunks` stream chunks stored beside its log (written
 * straight into the world in batches of 1,000: where chunks come from does not change how they
 * are stored), resumed by a fresh runtime: a cold replay of its whole log. The median of three runs.
 */
async function coldReplay(world: () => World, chunks: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const token = `replay-${chunks}-${Math.random()}`;
    let runtime = await runtimeOn(world());
    const run = await runtime.start(`${WF}longRun`, [1000, token]);
    while ((await runtime.world.listHooks({ runId: run.runId, status: "active" })).length === 0)
      await new Promise((r) => setTimeout(r, 20));
    for (let written = 0; written < chunks; written += 1000) {
      const batch = Array.from({ length: Math.min(1000, chunks - written) }, (_, i) =>
        JSON.stringify(`chunk ${written + i}`),
      );
      await runtime.world.streams.write(run.runId, "default", batch);
    }
    await settle();
    await runtime.close();
    runtime = await runtimeOn(world());
    const started = performance.now();
    await runtime.resumeHook(token, 1);
    await runtime.waitForEnd(run.runId);
    times.push(performance.now() - started);
    await settle();
    await runtime.close();
  }
  return times.sort((a, b) => a - b)[1]!;
}

// -- local world, filesystem driver -------------------------------------------------------------
{
  await chunksPerSecond(createLocalWorld({ dir: await dataDir() }), 2_000); // warm-up
  const rate = await chunksPerSecond(createLocalWorld({ dir: await dataDir() }), 20_000);
  rows.push([
    "chunks/s one step writes (20,000 small chunks, each awaited; local, fs)",
    `${rate.toFixed(0)}/s`,
    "≥ 10,000/s",
  ]);

  const world = createLocalWorld({ dir: await dataDir() });
  const latencies = await visibleLatency(world, world, 300);
  rows.push(["write → visible to a reader p50 (local, one process)", ms(percentile(latencies, 50)), "≤ 5 ms"]);
  rows.push(["write → visible to a reader p99 (local, one process)", ms(percentile(latencies, 99)), ""]);

  const warmUp = await dataDir();
  await coldReplay(() => createLocalWorld({ dir: warmUp }), 0); // warm-up: the first variant must not pay for it
  for (const chunks of [0, 100_000]) {
    const dir = await dataDir();
    const elapsed = await coldReplay(() => createLocalWorld({ dir }), chunks);
    rows.push([
      `cold replay of a 1,000-step run with ${chunks.toLocaleString("en")} stream chunks (local, fs)`,
      ms(elapsed),
      "equal within noise",
    ]);
  }
}
printTable("@hookline/core — streams on the local world (filesystem driver)", rows);

// -- PostgreSQL ---------------------------------------------------------------------------------
const pgRows: Row[] = [];
const server = await resolvePostgresServer();
const databases: TestDatabase[] = [];
try {
  const db = await createTestDatabase(server.url, "core_bench_streams");
  databases.push(db);
  const open = () => createPostgresWorld({ connectionString: db.url, schema: db.schema });
  const rate = await chunksPerSecond(open(), 2_000);
  pgRows.push([
    "chunks/s one step writes (2,000 small chunks, each awaited and committed)",
    `${rate.toFixed(0)}/s`,
    "",
  ]);
  const second = open();
  const latencies = await visibleLatency(open(), second, 300);
  await second.close();
  pgRows.push([
    "write on instance A → visible to a reader on instance B p50 (LISTEN/NOTIFY)",
    ms(percentile(latencies, 50)),
    "≤ 5 ms",
  ]);
  pgRows.push(["write on instance A → visible to a reader on instance B p99", ms(percentile(latencies, 99)), ""]);
  await coldReplay(open, 0); // warm-up: the first variant must not pay for it
  for (const chunks of [0, 100_000]) {
    const elapsed = await coldReplay(open, chunks);
    pgRows.push([
      `cold replay of a 1,000-step run with ${chunks.toLocaleString("en")} stream chunks`,
      ms(elapsed),
      "equal within noise",
    ]);
  }
} finally {
  for (const db of databases) await db.drop();
  await server.stop();
}
printTable("@hookline/core — streams on the PostgreSQL world (two instances: two worlds, one database)", pgRows);
process.exit(0);
