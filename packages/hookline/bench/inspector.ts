/**
 * `pnpm bench`: the inspector at scale, through its real handler on a local port (serveInspector,
 * as `hookline inspect --web` serves it, over cliRuntime): the runs list's first page with and
 * without filters, its second page, the counts, and the page of a run with a long log, in a world
 * of BENCH_INSPECTOR_RUNS runs (default 100,000), on the local world (fs) and PostgreSQL (when a
 * server answers: HOOKLINE_TEST_POSTGRES_URL or 127.0.0.1:5432; a fresh database, dropped after).
 * BENCH_INSPECTOR_WORLDS=local or =postgres measures one of them; BENCH_INSPECTOR_DIR keeps the
 * local world's folder between runs.
 *
 * The long run's page is measured warm (the same server, again and again, after a first load)
 * and cold: the first load by a new world, runtime and server on the same storage, as after a
 * restart (the OS's file cache stays warm).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { World } from "@hookline/core/world";
import { serveInspector } from "@hookline/next/server";
import { createLocalWorld } from "@hookline/world-local";
import { createPostgresWorld } from "@hookline/world-postgres";
import { cliRuntime } from "../src/cli-runtime.js";
import { seedLongRun, seedRuns, WORKFLOWS } from "./inspector-seed.js";

type Row = [benchmark: string, result: string, target: string];
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const ms = (value: number) => (value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`);

const RUNS = Number(process.env.BENCH_INSPECTOR_RUNS ?? 100_000);
const LONG_RUN_EVENTS = 10_000;
const SAMPLES = 20;
const COLD_SAMPLES = 5;
const PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 0);

async function measure(world: World, label: string, reopen: () => World): Promise<Row[]> {
  await world.start();
  const started = performance.now();
  await seedRuns(world, RUNS, world.name === "local" ? 1 : 16, (done) => console.log(`[${label}] ${done} runs…`));
  const seeded = performance.now() - started;
  const longRun = "wrun_benchlong";
  await seedLongRun(world, longRun, LONG_RUN_EVENTS);
  const runtime = await cliRuntime(world);
  const serve = (over: typeof runtime, port: number) =>
    serveInspector({
      runtime: async () => over,
      secrets: async () => [randomBytes(32).toString("hex")],
      access: { kind: "open" },
      port,
    });
  const server = await serve(runtime, PORT);
  const rows: Row[] = [
    [`${label}: seeding ${RUNS.toLocaleString("en")} runs through append`, `${(seeded / 1000).toFixed(0)} s`, "—"],
  ];
  try {
    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      const body = await response.text();
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 200)}`);
      return body;
    };
    const time = async (name: string, target: string, task: () => Promise<unknown>) => {
      await task();
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const start = performance.now();
        await task();
        samples.push(performance.now() - start);
      }
      rows.push([
        `${label}: ${name}`,
        `p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`,
        target,
      ]);
    };
    const page =
      (query = "") =>
      () =>
        get(`/${query}`);
    await time("runs list, first page (50 runs + counts)", "≤ 200 ms", page());
    await time("runs list, status=failed", "≤ 200 ms", page("?status=failed"));
    await time("runs list, status=pending (3%)", "≤ 200 ms", page("?status=pending"));
    await time("runs list, one workflow", "≤ 200 ms", page(`?workflow=${encodeURIComponent(WORKFLOWS[5]!)}`));
    await time(
      "runs list, one workflow + status=running",
      "≤ 200 ms",
      page(`?workflow=${encodeURIComponent(WORKFLOWS[6]!)}&status=running`),
    );
    const first = await world.listRuns({ limit: 50 });
    const last = first.at(-1)!;
    await time("runs list, second page (cursor)", "≤ 200 ms", page(`?before=${last.createdAt}~${last.runId}`));
    await time("countRuns (every workflow and status)", "no scan of every run", () => world.countRuns());
    await time(`run page, ${LONG_RUN_EVENTS.toLocaleString("en")} events, warm`, "≤ 150 ms", () =>
      get(`/runs/${longRun}`),
    );
    const cold: number[] = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const fresh = reopen();
      await fresh.start();
      const freshRuntime = await cliRuntime(fresh);
      const freshServer = await serve(freshRuntime, PORT === 0 ? 0 : PORT + 1);
      try {
        const start = performance.now();
        const response = await fetch(`${freshServer.url}/runs/${longRun}`);
        await response.text();
        cold.push(performance.now() - start);
        if (response.status !== 200) throw new Error(`GET /runs/${longRun} (cold): ${response.status}`);
      } finally {
        await freshServer.close();
        await freshRuntime.close();
        await fresh.close();
      }
    }
    rows.push([
      `${label}: run page, ${LONG_RUN_EVENTS.toLocaleString("en")} events, cold (a new world's first load)`,
      `p50 ${ms(percentile(cold, 50))}, max ${ms(Math.max(...cold))}`,
      "≤ 150 ms",
    ]);
    const total = (await world.countRuns()).reduce((sum, row) => sum + row.count, 0);
    rows.push([`${label}: runs counted`, total.toLocaleString("en"), `${(RUNS + 1).toLocaleString("en")}`]);
  } finally {
    await server.close();
    await runtime.close();
    await world.close();
  }
  return rows;
}

const rows: Row[] = [];
const worlds = (process.env.BENCH_INSPECTOR_WORLDS ?? "local,postgres").split(",");
if (worlds.includes("local")) {
  // BENCH_INSPECTOR_DIR: a folder kept between runs (seeded once, completed if cut off).
  const kept = process.env.BENCH_INSPECTOR_DIR;
  const dir = kept ?? (await mkdtemp(join(tmpdir(), "hookline-inspector-bench-")));
  try {
    rows.push(...(await measure(createLocalWorld({ dir }), "local (fs)", () => createLocalWorld({ dir }))));
  } finally {
    if (!kept) await rm(dir, { recursive: true, force: true });
  }
}

const serverUrl = process.env.HOOKLINE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
// The driver world-postgres uses, for creating and dropping the benchmark's database.
interface AdminClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = createRequire(createRequire(import.meta.url).resolve("@hookline/world-postgres"))("pg") as {
  Client: new (options: { connectionString: string }) => AdminClient;
};
const admin = new pg.Client({ connectionString: serverUrl });
const database = `${process.env.BENCH_DATABASE_PREFIX ?? "hookline_bench"}_inspector_${randomBytes(4).toString("hex")}`;
if (!worlds.includes("postgres")) {
  // Not asked for.
} else if (
  await admin.connect().then(
    () => true,
    () => false,
  )
) {
  await admin.query(`CREATE DATABASE "${database}"`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const open = () => createPostgresWorld({ connectionString: url.toString() });
    rows.push(...(await measure(open(), "PostgreSQL", open)));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
} else {
  rows.push(["PostgreSQL", `skipped: no server at ${serverUrl}`, "—"]);
}

console.log(`\n### hookline — the inspector at scale (${RUNS.toLocaleString("en")} runs)\n`);
console.log("| benchmark | result | target |");
console.log("|---|---|---|");
for (const [name, result, target] of rows) console.log(`| ${name} | ${result} | ${target} |`);
