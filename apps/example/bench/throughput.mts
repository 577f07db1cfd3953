/**
 * `pnpm bench` for the example: sustained webhook deliveries against `next start` (DESIGN §5).
 * Many runs wait in a `for await` webhook (workflows/webhook-lab.ts); a load generator in another
 * process (autocannon, bench/load.mjs) posts deliveries with distinct webhook-ids for 30 s to
 * random runs, beside the same server's throughput on a trivial route handler measured in the
 * same run (the floor of Next on this machine). Afterwards every 202 is counted in the log:
 * exactly one hook_received each. On the local world with one instance, then on PostgreSQL with
 * two instances sharing one database.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "../../../packages/world-postgres/test/support/database";
import { resolvePostgresServer } from "../../../packages/world-postgres/test/support/server";
import { type NextServer, nextBuild, startNext } from "../test/support/next-server";

const SECRET = "throughput-bench-secret-0123456789abcdef0123456789";
const RUNS = 200;
const SECONDS = Number(process.env.HOOKLINE_BENCH_SECONDS ?? 30);
const CONNECTIONS = 16;
// Every request comes from 127.0.0.1: the per-address limit would answer 429.
const ENV = { HOOKLINE_SECRET: SECRET, HOOKLINE_WEBHOOK_RATE_LIMIT: "off" };
const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));
// Knobs for profiling runs: which worlds, a fixed port range (shared machines), no rebuild,
// Node options for the servers only (e.g. --cpu-prof).
const WORLDS = (process.env.HOOKLINE_BENCH_WORLDS ?? "local,postgres").split(",");
const FIRST_PORT = Number(process.env.HOOKLINE_BENCH_PORT ?? 0);
const SERVER_ENV: Record<string, string> = process.env.HOOKLINE_BENCH_NODE_OPTIONS
  ? { NODE_OPTIONS: process.env.HOOKLINE_BENCH_NODE_OPTIONS }
  : {};
const portOf = (index: number) => (FIRST_PORT > 0 ? { port: FIRST_PORT + index } : {});
// Another build of the app to measure (next build with EXAMPLE_DIST_DIR set), e.g. a before/after pair.
const DIST_DIR = process.env.HOOKLINE_BENCH_DIST_DIR ? { distDir: process.env.HOOKLINE_BENCH_DIST_DIR } : {};

interface Load {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
  /** The webhook-ids answered 202. */
  accepted: string[];
}

type Row = [string, string, string];
const rows: Row[] = [];
const load = loadavg()[0]!.toFixed(1);

if (process.env.HOOKLINE_BENCH_BUILD !== "0") {
  console.log("[bench] building the example (next build)…");
  await nextBuild(DIST_DIR);
}

if (WORLDS.includes("local")) {
  const server = await startNext("start", { env: { ...ENV, ...SERVER_ENV }, ...DIST_DIR, ...portOf(0) });
  try {
    await measure("local", [server], async (runIds) => countLocal(server.dataDir, runIds));
  } finally {
    await server.stop();
  }
}

if (WORLDS.includes("postgres")) {
  const pg = await resolvePostgresServer();
  const db = await createTestDatabase(pg.url, "throughput");
  const env = { ...ENV, ...SERVER_ENV, HOOKLINE_WORLD: "postgres", HOOKLINE_POSTGRES_URL: db.url };
  const servers: NextServer[] = [];
  try {
    servers.push(
      ...(await Promise.all([1, 2].map((index) => startNext("start", { env, ...DIST_DIR, ...portOf(index) })))),
    );
    await measure("PostgreSQL, 2 instances", servers, (runIds) => countPostgres(db, runIds));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await db.drop();
    await pg.stop();
  }
}

console.log("\n### example — sustained webhook deliveries under next start\n");
console.log("| benchmark | result | target |");
console.log("|---|---|---|");
for (const [name, result, target] of rows) console.log(`| ${name} | ${result} | ${target} |`);
console.log(
  `\n${CONNECTIONS} connections, ${RUNS} waiting runs, ${SECONDS} s each. Machine: ${cpus().length} CPUs, load average ${load} at the start.`,
);
process.exit(0);

// -- the measurement -----------------------------------------------------------------------------

async function measure(
  label: string,
  servers: NextServer[],
  recorded: (runIds: string[]) => Promise<string[]>,
): Promise<void> {
  const urls = servers.map((server) => server.url);
  // Warm both routes up (compilation of the route modules, the runtime's first runs).
  await generate({ urls, path: "/api/lab/ping", seconds: 3, connections: CONNECTIONS });
  const cpuBefore = cpuMs(servers);
  const floor = await generate({ urls, path: "/api/lab/ping", seconds: SECONDS, connections: CONNECTIONS });
  const floorCpu = (cpuMs(servers) - cpuBefore) / floor.requests.total;
  const runIds = await waitingRuns(urls);
  const tokens = runIds.map((runId) => createHmac("sha256", SECRET).update(`webhook:${runId}:o1`).digest("base64url"));
  // With HOOKLINE_BENCH_NODE_OPTIONS="--require <a profiler>", SIGUSR2 brackets the deliveries.
  const mark = () => {
    if (SERVER_ENV.NODE_OPTIONS) for (const server of servers) process.kill(server.pid, "SIGUSR2");
  };
  mark();
  const cpuStart = cpuMs(servers);
  const deliveries = await generate({ urls, tokens, seconds: SECONDS, connections: CONNECTIONS });
  const deliveryCpu = (cpuMs(servers) - cpuStart) / deliveries.requests.total;
  mark();
  const inLog = new Map<string, number>();
  for (const key of await recorded(runIds)) inLog.set(key, (inLog.get(key) ?? 0) + 1);
  const once = deliveries.accepted.filter((id) => inLog.get(id) === 1).length;
  const twice = [...inLog.values()].filter((n) => n > 1).length;
  // Requests still in flight when the load stopped may be recorded without their 202 being counted.
  const answered = new Set(deliveries.accepted);
  const unanswered = [...inLog.keys()].filter((id) => !answered.has(id)).length;
  const rate = deliveries.requests.average;
  const failed = deliveries.errors + deliveries.timeouts + deliveries.non2xx;
  rows.push([
    `${label}: trivial route handler (POST → 202)`,
    `${floor.requests.average.toFixed(0)} req/s, p50 ${floor.latency.p50} ms, p99 ${floor.latency.p99} ms`,
    "the floor",
  ]);
  rows.push([
    `${label}: webhook deliveries to ${RUNS} waiting runs`,
    `${rate.toFixed(0)} req/s (${((rate / floor.requests.average) * 100).toFixed(0)} % of the floor), p50 ${deliveries.latency.p50} ms, p99 ${deliveries.latency.p99} ms`,
    "≥ 50 % of the floor, p99 ≤ 100 ms",
  ]);
  rows.push([
    `${label}: servers' CPU time per request (trivial / delivery)`,
    `${floorCpu.toFixed(2)} ms / ${deliveryCpu.toFixed(2)} ms (ratio ${((floorCpu / deliveryCpu) * 100).toFixed(0)} %)`,
    "what the machine's load does not change",
  ]);
  rows.push([`${label}: errors (non-202, connection errors, timeouts)`, String(failed), "0"]);
  rows.push([
    `${label}: 202s recorded exactly once`,
    `${once} of ${deliveries.accepted.length} (recorded twice: ${twice}; recorded while the load stopped, answer not counted: ${unanswered})`,
    "all, 0 twice",
  ]);
}

function generate(options: {
  urls: string[];
  path?: string;
  tokens?: string[];
  seconds: number;
  connections: number;
}): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
      else resolve(JSON.parse(output) as Load);
    });
  });
}

/** CPU time (user + system) the servers' processes used so far, from /proc (Linux), in ms. */
function cpuMs(servers: NextServer[]): number {
  let ticks = 0;
  for (const server of servers) {
    try {
      const stat = readFileSync(`/proc/${server.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return Number.NaN;
    }
  }
  return ticks * 10;
}

/** Starts RUNS inboxes across the instances and waits until each has its webhook. */
async function waitingRuns(urls: string[]): Promise<string[]> {
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const response = await fetch(`${urls[i % urls.length]}/api/lab/runs`, {
      method: "POST",
      body: JSON.stringify({ workflow: "labInbox" }),
    });
    runIds.push(((await response.json()) as { runId: string }).runId);
  }
  for (const runId of runIds) {
    for (;;) {
      const view = (await (await fetch(`${urls[0]}/api/lab/runs/${runId}`)).json()) as { hooks: unknown[] };
      if (view.hooks.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return runIds;
}

/** The dedupe key of every hook_received of these runs, from the local world's event files. */
async function countLocal(dataDir: string, runIds: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const runId of runIds) {
    const dir = join(dataDir, "runs", runId, "events");
    for (const file of await readdir(dir)) {
      const event = JSON.parse(await readFile(join(dir, file), "utf8")) as {
        type: string;
        data: { dedupeKey?: string };
      };
      if (event.type === "hook_received" && event.data.dedupeKey) keys.push(event.data.dedupeKey);
    }
  }
  return keys;
}

async function countPostgres(db: TestDatabase, runIds: string[]): Promise<string[]> {
  const { rows: found } = await db.admin<{ key: string }>(
    `SELECT data->>'dedupeKey' AS key FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'hook_received'`,
    [runIds],
  );
  return found.map((row) => row.key);
}
