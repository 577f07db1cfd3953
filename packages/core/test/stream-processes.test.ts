/**
 * Streams across processes: a writer killed with kill -9 mid-stream loses no acknowledged chunk
 * (local world, files), and on PostgreSQL a reader in this process sees, live, what a runtime in
 * another process writes.
 */
import { mkdtemp } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { createPostgresWorld } from "../../world-postgres/src/index.js";
import { getRun } from "../src/api.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, prepareForChild } from "./support/child-process.js";
import { runtimeFor } from "./support/runtimes.js";

const children: ChildRuntime[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const COUNT = 2_000;
let app: CompiledApp;
async function streamApp(): Promise<CompiledApp> {
  if (app) return app;
  app = await compileApp({
    "workflows/numbers.ts": `
      import { getStepMetadata, getWritable } from "hookline";
      import { getRun } from "hookline/api";
      export async function numbers(count: number, everyMs: number) {
        "use workflow";
        return write(getWritable(), count, everyMs);
      }
      async function write(writable: WritableStream<number>, count: number, everyMs: number) {
        "use step";
        const { attempt, runId } = getStepMetadata();
        // A retry continues after the last stored chunk (see docs/streams.md).
        const from = attempt > 1 ? (await getRun(runId).getReadable().getTailIndex()) + 1 : 0;
        const writer = writable.getWriter();
        for (let i = from; i < count; i++) {
          if (everyMs) await new Promise((resolve) => setTimeout(resolve, everyMs));
          await writer.write(i);
          if (attempt === 1) console.log("acked " + i);
        }
        return attempt;
      }
    `,
  });
  await prepareForChild(app);
  return app;
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<T>) out.push(chunk);
  return out;
}

describe("streams across processes", () => {
  test("kill -9 of the writer mid-stream: every acknowledged chunk is there, in order, no gap, no repeated index", async () => {
    const compiled = await streamApp();
    const dir = await mkdtemp(join(tmpdir(), "hookline-stream-crash-"));
    const child = new ChildRuntime(compiled, dir);
    children.push(child);
    await child.waitForLine(/^ready$/);
    child.send({ start: "workflow//workflows/numbers.ts//numbers", args: [COUNT, 0] });
    const runId = (await child.waitForLine(/^started /)).split(" ")[1]!;
    await child.waitForLine(/^acked 300$/);
    await child.kill();
    const acked = Math.max(...child.lines.filter((l) => l.startsWith("acked ")).map((l) => Number(l.slice(6))));

    // Read what the dead process left, with a world that does not drive the run.
    const world = createLocalWorld({ dir });
    await world.start();
    const stored = await world.streams.read(runId, "default", 0, 10_000);
    await world.close();
    expect(stored.length).toBeGreaterThan(acked);
    expect(stored.map((c) => c.index)).toEqual(stored.map((_, i) => i));
    expect(stored.map((c) => Number(c.data))).toEqual(stored.map((_, i) => i));

    // A new process finishes the run: the retried step continues after the last stored chunk.
    await runtimeFor(compiled, { world: createLocalWorld({ dir }) });
    const run = getRun<number>(runId);
    await expect(run.returnValue).resolves.toBe(2);
    expect(await readAll(run.readable)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  test("local world: a reader in this process hears, live, the chunks and the end of a run another process drives", async () => {
    const compiled = await streamApp();
    const dir = await mkdtemp(join(tmpdir(), "hookline-stream-live-"));
    const child = new ChildRuntime(compiled, dir);
    children.push(child);
    await child.waitForLine(/^ready$/);
    // This process only reads: it does not consume the queue, so the other process runs the step.
    await runtimeFor(compiled, { world: createLocalWorld({ dir, scanIntervalMs: 0 }), worker: false });
    child.send({ start: "workflow//workflows/numbers.ts//numbers", args: [30, 100] });
    const runId = (await child.waitForLine(/^started /)).split(" ")[1]!;
    const run = getRun<number>(runId);
    const reader = run.getReadable<number>().getReader();
    const received: Array<{ value: number; at: number }> = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push({ value, at: Date.now() });
    }
    const ended = Date.now();
    expect(received.map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // Written every 100 ms: heard as written, not in bursts at the reader's 2 s re-reads.
    const gaps = received.slice(1).map((r, i) => r.at - received[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(1_000);
    // The run's end, written by the other process, ends the reader just as fast.
    expect(await run.status).toBe("completed");
    expect(ended - received.at(-1)!.at).toBeLessThan(1_000);
  });

  test("PostgreSQL: a reader in this process sees, live, the chunks a runtime in another process writes", async () => {
    const compiled = await streamApp();
    const connectionString = process.env.HOOKLINE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const schema = `streams_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    cleanups.push(async () => {
      const pg = createRequire(new URL("../../world-postgres/package.json", import.meta.url))("pg") as {
        Client: new (options: {
          connectionString: string;
        }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
      };
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    });
    const child = new ChildRuntime(compiled, { postgres: { connectionString, schema } });
    children.push(child);
    await child.waitForLine(/^ready$/);
    // This process only reads: it does not consume the queue, so the other process runs the step.
    await runtimeFor(compiled, { world: createPostgresWorld({ connectionString, schema }), worker: false });
    child.send({ start: "workflow//workflows/numbers.ts//numbers", args: [40, 25] });
    const runId = (await child.waitForLine(/^started /)).split(" ")[1]!;
    const run = getRun<number>(runId);
    const reader = run.getReadable<number>().getReader();
    const first = await reader.read();
    expect(first).toEqual({ done: false, value: 0 });
    expect(await run.status).toBe("running");
    const rest: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest.push(value);
    }
    expect(rest).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    expect(await run.status).toBe("completed");
  });
});
