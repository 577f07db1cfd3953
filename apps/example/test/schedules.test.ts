/**
 * A schedule declared beside its workflow (workflows/digest.ts) fires under `next start` with no
 * request at all: the server starts the runtime by itself, and the world's queue fires each tick.
 * The test runs the schedule every second (EXAMPLE_DIGEST_CRON) and reads the runs from the local
 * world's files before asking the app anything; then listSchedules() through the app's route.
 * Then two instances on one PostgreSQL database: one run per tick between them, also after one
 * of them is killed with SIGKILL.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/instances";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { createTestDatabase, resolvePostgresServer } from "./support/postgres";
import { productionBuild } from "./support/production-build";

const SECRET = "example-test-secret-0123456789abcdef0123456789abcdef";
const INSPECTOR_TOKEN = "inspect-schedules-0123456789";
const INSPECT = "/.well-known/workflow/v1/inspect";

let server: NextServer | undefined;
afterAll(async () => {
  await server?.stop();
});

/** Tick → run ids, from the first event of every run in the world's directory (no request to the app). */
async function scheduledRuns(dataDir: string): Promise<Map<string, string[]>> {
  const byTick = new Map<string, string[]>();
  const runIds = await readdir(join(dataDir, "runs")).catch(() => [] as string[]);
  for (const runId of runIds) {
    const text = await readFile(join(dataDir, "runs", runId, "events", "0000000001.json"), "utf8").catch(() => null);
    const key = text ? (JSON.parse(text) as { data?: { idempotencyKey?: string } }).data?.idempotencyKey : undefined;
    if (!key?.startsWith("schedule:daily-digest:")) continue;
    const tick = key.slice("schedule:daily-digest:".length);
    byTick.set(tick, [...(byTick.get(tick) ?? []), runId]);
  }
  return byTick;
}

describe("schedules under next start", () => {
  it("a declared schedule fires every tick with no request to the server, one run per tick, and listSchedules shows it", async () => {
    await productionBuild({ env: { HOOKLINE_SECRET: SECRET } });
    server = await startNext("start", {
      env: { HOOKLINE_SECRET: SECRET, EXAMPLE_DIGEST_CRON: "* * * * * *", HOOKLINE_INSPECTOR_TOKEN: INSPECTOR_TOKEN },
      ready: false,
    });
    await server.waitForOutput(/\[hookline\] runtime started/, 120_000);
    const dataDir = server.dataDir;
    const byTick = await eventually(
      async () => {
        const runs = await scheduledRuns(dataDir);
        return runs.size >= 3 ? runs : undefined;
      },
      30_000,
      "three ticks of the digest schedule",
    );
    for (const [tick, runs] of byTick) {
      expect(runs, tick).toHaveLength(1);
      expect(Date.parse(tick) % 1000, tick).toBe(0);
    }

    const response = await fetch(`${server.url}/api/schedules`);
    expect(response.status).toBe(200);
    const { schedules, now } = (await response.json()) as {
      now: number;
      schedules: Array<{
        id: string;
        workflowId: string;
        cron: string;
        timezone: string;
        args: unknown[];
        origin: string;
        nextRunAt: string;
        lastRunId?: string;
      }>;
    };
    expect(schedules).toEqual([
      expect.objectContaining({
        id: "daily-digest",
        workflowId: expect.stringMatching(/digest\.ts\/\/dailyDigest$/),
        cron: "* * * * * *",
        timezone: "Europe/Berlin",
        args: ["ops"],
        origin: "declared",
      }),
    ]);
    expect(Date.parse(schedules[0]!.nextRunAt) - now).toBeLessThanOrEqual(1000);
    const [firstRun] = [...byTick.values()][0]!;
    const run = await eventually(
      async () => {
        const view = (await (await fetch(`${server!.url}/api/runs/${firstRun}`)).json()) as {
          status: string;
          result?: { team: string };
        };
        return view.status === "completed" ? view : undefined;
      },
      30_000,
      "the first digest run to complete",
    );
    expect(run.result).toMatchObject({ team: "ops" });

    // The inspector's schedules page, behind its login: the schedule, its next tick, its latest run.
    const login = await fetch(`${server.url}${INSPECT}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: new URLSearchParams({ token: INSPECTOR_TOKEN }).toString(),
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const page = await fetch(`${server.url}${INSPECT}/schedules`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("<code>daily-digest</code>");
    expect(text).toContain("<code>dailyDigest</code>");
    expect(text).toContain("Europe/Berlin");
    expect(text).toMatch(/href="[^"]*\/runs\/wrun_\w+"><code>wrun_\w+<\/code><\/a><\/td><\/tr>/);
  });
});

describe("schedules on two instances sharing PostgreSQL", () => {
  it("two next start instances fire the declared schedule once per tick between them, and the survivor goes on after one is killed", async () => {
    await productionBuild({ env: { HOOKLINE_SECRET: SECRET } });
    const pgServer = await resolvePostgresServer();
    const db = await createTestDatabase(pgServer.url, "schedules");
    let cluster: Cluster | undefined;
    /** Tick → runs (with the instance that created each), from the database. */
    const ticks = async () => {
      const { rows } = await db.admin<{ tick: string; runs: number }>(
        `SELECT substr(e.data->>'idempotencyKey', length('schedule:daily-digest:') + 1) AS tick, count(*)::int AS runs
           FROM ${db.schema}.events e WHERE e.seq = 1 AND e.data->>'idempotencyKey' LIKE 'schedule:daily-digest:%' GROUP BY 1 ORDER BY 1`,
      );
      return rows;
    };
    try {
      cluster = await startCluster({
        databaseUrl: db.url,
        names: ["a", "b"],
        env: { EXAMPLE_DIGEST_CRON: "* * * * * *", HOOKLINE_POSTGRES_LEASE_MS: "3000" },
      });
      await eventually(async () => ((await ticks()).length >= 5 ? true : undefined), 30_000, "five ticks");
      cluster.signal(cluster.get("a"), "SIGKILL");
      const killedAt = Date.now();
      // The survivor fires the ticks after the kill (a timer the killed instance held comes back after its lease).
      await eventually(
        async () =>
          (await ticks()).filter((t) => Date.parse(t.tick) > killedAt + 4_000).length >= 3 ? true : undefined,
        30_000,
        "three ticks fired by the survivor",
      );
      const all = await ticks();
      for (const { tick, runs } of all) expect(runs, tick).toBe(1);
    } finally {
      await cluster?.close();
      await db.drop();
      await pgServer.stop();
    }
  });
});
