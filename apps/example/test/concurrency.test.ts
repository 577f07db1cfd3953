/**
 * Concurrency limits through the real routes: two `next start` instances of the example on one
 * PostgreSQL database; POST /api/syncs starts 50 account syncs with `concurrency: { key:
 * "account:<id>", limit: 2 }`, spread over both instances, and one instance is SIGKILLed in the
 * middle. How many syncs of one account executed steps at once is counted from the step
 * timestamps in the event log, not assumed; the order the waiting syncs got their turn is read
 * from the line in the database as it shrinks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, postJson, startCluster } from "./support/instances";
import { eventually } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

let pgServer: PostgresServer;
let db: TestDatabase;
let cluster: Cluster;
const LEASE_MS = 3_000;
const INSPECTOR_TOKEN = "concurrency-inspector-token";

beforeAll(async () => {
  await productionBuild();
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "concurrency");
  cluster = await startCluster({
    databaseUrl: db.url,
    names: ["a", "b"],
    env: { HOOKLINE_POSTGRES_LEASE_MS: String(LEASE_MS), HOOKLINE_INSPECTOR_TOKEN: INSPECTOR_TOKEN },
  });
});

afterAll(async () => {
  await cluster?.close();
  await db?.drop();
  await pgServer?.stop();
});

interface Interval {
  runId: string;
  start: number;
  end: number;
}

/** Each step attempt of these runs, from its step_started to its outcome (or `openEnd`: its instance was killed), read from the log. */
async function stepIntervals(runIds: string[], openEnd: number): Promise<Interval[]> {
  const { rows } = await db.admin<{ run_id: string; corr: string; type: string; at: number }>(
    `SELECT run_id, corr, type, at FROM ${db.schema}.events
      WHERE run_id = ANY($1) AND type IN ('step_started', 'step_completed', 'step_failed') ORDER BY run_id, seq`,
    [runIds],
  );
  const open = new Map<string, number>();
  const intervals: Interval[] = [];
  for (const row of rows) {
    const id = `${row.run_id}/${row.corr}`;
    if (row.type === "step_started") {
      if (open.has(id)) intervals.push({ runId: row.run_id, start: open.get(id)!, end: openEnd });
      open.set(id, Number(row.at));
    } else if (open.has(id)) {
      intervals.push({ runId: row.run_id, start: open.get(id)!, end: Number(row.at) });
      open.delete(id);
    }
  }
  expect(open.size, "every step's last attempt has an outcome").toBe(0);
  return intervals;
}

/** The most distinct runs executing a step at one instant. */
function maxOverlap(intervals: Interval[]): number {
  let most = 0;
  for (const at of intervals) {
    most = Math.max(
      most,
      new Set(intervals.filter((i) => i.start <= at.start && at.start < i.end).map((i) => i.runId)).size,
    );
  }
  return most;
}

async function allCompleted(runIds: string[]): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await db.admin<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${db.schema}.runs WHERE run_id = ANY($1) AND status = 'completed'`,
        [runIds],
      );
      return rows[0]!.n === runIds.length ? true : undefined;
    },
    60_000,
    `${runIds.length} syncs to complete`,
  );
}

/** The waiting runs of `key`, first in line first. */
async function line(key: string): Promise<string[]> {
  const { rows } = await db.admin<{ run_id: string }>(
    `SELECT run_id FROM ${db.schema}.slots WHERE key = $1 AND lease_until IS NULL ORDER BY ticket`,
    [key],
  );
  return rows.map((r) => r.run_id);
}

describe("concurrency limits through POST /api/syncs", () => {
  it("50 syncs of one account, started across two instances with limit 2, one instance SIGKILLed mid-way: never more than 2 at once, all complete, in the order they asked", async () => {
    const [a, b] = cluster.instances;
    const syncs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postJson<{ runId: string }>(`${(i % 2 === 0 ? a : b)!.server.url}/api/syncs`, { accountId: "acme" }),
      ),
    );
    // Another account's syncs are not held back by acme's.
    const other = await Promise.all(
      Array.from({ length: 2 }, (_, i) =>
        postJson<{ runId: string }>(`${(i % 2 === 0 ? a : b)!.server.url}/api/syncs`, { accountId: "globex" }),
      ),
    );
    const runIds = syncs.map((s) => s.runId);
    const completed = async () => {
      const { rows } = await db.admin<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${db.schema}.runs WHERE run_id = ANY($1) AND status = 'completed'`,
        [runIds],
      );
      return rows[0]!.n;
    };

    // The line, looked at until every sync ended.
    const views: string[][] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        views.push(await line("account:acme"));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await eventually(async () => ((await completed()) >= 10 ? true : undefined), 60_000, "10 syncs to complete");
    cluster.signal(b!, "SIGKILL");
    const killedAt = Date.now();
    await allCompleted([...runIds, ...other.map((s) => s.runId)]);
    watching = false;
    await watcher;

    const intervals = await stepIntervals(runIds, killedAt);
    expect(intervals.length).toBeGreaterThanOrEqual(100);
    expect(maxOverlap(intervals)).toBe(2);
    // Syncs left the line in the order they asked: in every view, the syncs still waiting were the
    // tail of the line. A sync whose slot holder was killed goes back at its old place: set aside.
    const first = views.find((view) => view.length >= 30) ?? [];
    expect(first.length, "most syncs waited in line at some point").toBeGreaterThanOrEqual(30);
    const seen = new Map<string, number>();
    const returned = new Set<string>();
    views.forEach((view, index) => {
      for (const runId of view) {
        if (seen.has(runId) && seen.get(runId)! < index - 1) returned.add(runId);
        seen.set(runId, index);
      }
    });
    const order = first.filter((runId) => !returned.has(runId));
    const inLine = new Set(order);
    for (const view of views.slice(views.indexOf(first))) {
      const waiting = view.filter((runId) => inLine.has(runId));
      expect(waiting).toEqual(order.slice(order.length - waiting.length));
    }
    // The option is recorded with each run, so every instance applies it.
    const { rows: recorded } = await db.admin<{ concurrency: unknown }>(
      `SELECT data->'concurrency' AS concurrency FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'run_created'`,
      [runIds],
    );
    expect(recorded.map((r) => r.concurrency)).toEqual(runIds.map(() => ({ key: "account:acme", limit: 2 })));
    await eventually(
      async () => {
        const { rows } = await db.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.slots`);
        return rows[0]!.n === 0 ? true : undefined;
      },
      10_000,
      "every slot to be given back",
    );
  });

  it("a limit below 1 is refused with 400 naming the field, and no run is recorded", async () => {
    const before = await db.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.runs`);
    const response = await fetch(`${cluster.instances[0]!.server.url}/api/syncs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountId: "acme", limit: 0 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /concurrency.limit must be a whole number ≥ 1, got number 0/,
    );
    const after = await db.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.runs`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it("the inspector's timeline shows a run's concurrency key and limit", async () => {
    const server = cluster.instances[0]!.server;
    const { runId } = await postJson<{ runId: string }>(`${server.url}/api/syncs`, { accountId: "initech", limit: 3 });
    const inspect = `${server.url}/.well-known/workflow/v1/inspect`;
    const login = await fetch(`${inspect}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: new URLSearchParams({ token: INSPECTOR_TOKEN }).toString(),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const page = await fetch(`${inspect}/runs/${runId}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("concurrency account:initech (limit 3)");
  });
});
