/**
 * Concurrency limits through the real routes: two `next start` instances of the example on one
 * PostgreSQL database; POST /api/syncs starts account syncs with `concurrency: { key:
 * "account:<id>", limit: 2 }`, spread over both instances. How many syncs of one account executed
 * steps at once is counted from the step timestamps in the event log, not assumed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, postJson, startCluster } from "./support/instances";
import { eventually } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

let pgServer: PostgresServer;
let db: TestDatabase;
let cluster: Cluster;

beforeAll(async () => {
  await productionBuild();
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "concurrency");
  cluster = await startCluster({ databaseUrl: db.url, names: ["a", "b"] });
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

/** Each step attempt of these runs, from its step_started to its outcome, read from the log. */
async function stepIntervals(runIds: string[]): Promise<Interval[]> {
  const { rows } = await db.admin<{ run_id: string; corr: string; type: string; at: number }>(
    `SELECT run_id, corr, type, at FROM ${db.schema}.events
      WHERE run_id = ANY($1) AND type IN ('step_started', 'step_completed', 'step_failed') ORDER BY run_id, seq`,
    [runIds],
  );
  const open = new Map<string, number>();
  const intervals: Interval[] = [];
  for (const row of rows) {
    const id = `${row.run_id}/${row.corr}`;
    if (row.type === "step_started") open.set(id, Number(row.at));
    else if (open.has(id)) {
      intervals.push({ runId: row.run_id, start: open.get(id)!, end: Number(row.at) });
      open.delete(id);
    }
  }
  expect(open.size, "every step attempt has an outcome").toBe(0);
  return intervals;
}

/** The most distinct runs executing a step at one instant. */
function maxOverlap(intervals: Interval[]): number {
  let most = 0;
  for (const at of intervals) {
    most = Math.max(most, new Set(intervals.filter((i) => i.start <= at.start && at.start < i.end).map((i) => i.runId)).size);
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

describe("concurrency limits through POST /api/syncs", () => {
  it("12 syncs of one account, started across two instances with limit 2, never run more than 2 at once and all complete", async () => {
    const [a, b] = cluster.instances;
    const syncs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => postJson<{ runId: string }>(`${(i % 2 === 0 ? a : b)!.server.url}/api/syncs`, { accountId: "acme" })),
    );
    // Another account's syncs are not held back by acme's.
    const other = await Promise.all(
      Array.from({ length: 2 }, (_, i) => postJson<{ runId: string }>(`${(i % 2 === 0 ? a : b)!.server.url}/api/syncs`, { accountId: "globex" })),
    );
    const runIds = syncs.map((s) => s.runId);
    await allCompleted([...runIds, ...other.map((s) => s.runId)]);

    const intervals = await stepIntervals(runIds);
    expect(intervals.length).toBeGreaterThanOrEqual(24);
    expect(maxOverlap(intervals)).toBe(2);
    // The option is recorded with each run, so every instance applies it.
    const { rows: recorded } = await db.admin<{ concurrency: unknown }>(
      `SELECT data->'concurrency' AS concurrency FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'run_created'`,
      [runIds],
    );
    expect(recorded.map((r) => r.concurrency)).toEqual(runIds.map(() => ({ key: "account:acme", limit: 2 })));
    // No slot was lost to a lease running out while its run executed steps.
    const output = cluster.instances.map((i) => i.server.output());
    expect(output.every((text) => !/concurrency slot .* was lost/.test(text))).toBe(true);
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
    expect(((await response.json()) as { error: string }).error).toMatch(/concurrency.limit must be a whole number ≥ 1, got number 0/);
    const after = await db.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.runs`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
