/**
 * PostgreSQL restarts under two `next start` instances while runs are in the middle of steps
 * and sleeps: the instances reconnect (pool and LISTEN), the runs finish, and every log is
 * complete with no duplicate or missing event. The server is an embedded one started for this
 * file, so stopping it touches nothing else on the machine.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { completedSteps, logProblems, recordWriters } from "./support/event-log";
import { type Cluster, customersCsv, postJson, startCluster } from "./support/instances";
import { eventually } from "./support/next-server";
import {
  createTestDatabase,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
  type TestDatabase,
} from "./support/postgres";
import { productionBuild } from "./support/production-build";

let pgServer: EmbeddedPostgres;
let db: TestDatabase;
let cluster: Cluster;

beforeAll(async () => {
  await productionBuild();
  pgServer = await startEmbeddedPostgres();
  db = await createTestDatabase(pgServer.url, "restart");
  cluster = await startCluster({
    databaseUrl: db.url,
    names: ["a", "b"],
    env: { HOOKLINE_POSTGRES_LEASE_MS: "30000" },
  });
  await recordWriters(db);
});

afterAll(async () => {
  await cluster?.close();
  await db?.drop().catch(() => {});
  await pgServer?.destroy();
});

const count = async (sql: string, values: unknown[]) => (await db.admin<{ n: number }>(sql, values)).rows[0]!.n;

it("finishes runs caught in the middle of steps and sleeps by a PostgreSQL restart, with complete logs", async () => {
  const [a, b] = cluster.instances as [Cluster["instances"][0], Cluster["instances"][0]];
  const via = (i: number) => (i % 2 ? b : a);

  // Sleeping through the outage: verifications decided by their 6 s deadline.
  const sleepers = await Promise.all(
    Array.from(
      { length: 20 },
      async (_, i) => (await postJson<{ runId: string }>(`${via(i).server.url}/api/verify`, { scan: "slow" })).runId,
    ),
  );
  // Stepping through the outage: imports of 20,000 rows (21 steps each), uploaded at once.
  const imports = await Promise.all(
    Array.from({ length: 20 }, async (_, i) =>
      postJson<{ runId: string; importId: string }>(`${via(i).server.url}/api/imports`, { fileName: `c${i}.csv` }),
    ),
  );
  await eventually(
    async () =>
      (await count(`SELECT count(*)::int AS n FROM ${db.schema}.hooks WHERE run_id = ANY($1) AND status = 'active'`, [
        imports.map((i) => i.runId),
      ])) === imports.length
        ? true
        : undefined,
    30_000,
    "the imports to wait for their uploads",
  );
  for (const [i, imp] of imports.entries()) {
    const response = await fetch(`${via(i + 1).server.url}/api/uploads/${imp.importId}`, {
      method: "PUT",
      body: customersCsv(20_000),
    });
    expect(response.status).toBe(200);
  }
  const before = [...sleepers, ...imports.map((i) => i.runId)];
  const completedBefore = () =>
    count(`SELECT count(*)::int AS n FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'step_completed'`, [
      before,
    ]);
  await eventually(
    async () => ((await completedBefore()) >= 40 ? true : undefined),
    30_000,
    "the imports' steps to be under way",
  );

  // The restart: fast shutdown (sessions terminated), a few seconds down, up again.
  const stepsAtStop = await completedBefore();
  await pgServer.stop();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await pgServer.start();

  // After it: new checkouts, whose manual-response webhooks need each instance's LISTEN connection back.
  const checkouts = await Promise.all(
    Array.from({ length: 20 }, async (_, i) =>
      eventually(
        () => postJson<{ runId: string }>(`${via(i).server.url}/api/checkout`, { card: "good" }),
        20_000,
        "a checkout to start",
      ),
    ),
  );
  const runIds = [...before, ...checkouts.map((c) => c.runId)];
  await eventually(
    async () =>
      (await count(
        `SELECT count(*)::int AS n FROM ${db.schema}.runs WHERE run_id = ANY($1) AND status IN ('completed', 'failed', 'cancelled')`,
        [runIds],
      )) === runIds.length
        ? true
        : undefined,
    90_000,
    "every run to end",
  ).catch(async (error) => {
    // Say which runs are stuck and where their logs stop.
    const { rows } = await db.admin(
      `SELECT r.run_id, r.status, (SELECT string_agg(e.seq || ':' || e.type, ' ' ORDER BY e.seq) FROM ${db.schema}.events e WHERE e.run_id = r.run_id AND e.seq > r.last_seq - 4) AS tail FROM ${db.schema}.runs r WHERE r.run_id = ANY($1) AND r.status NOT IN ('completed', 'failed', 'cancelled')`,
      [runIds],
    );
    console.log("[restart] runs that did not end:", JSON.stringify(rows, null, 1));
    throw error;
  });

  const { rows: ends } = await db.admin<{ run_id: string; status: string }>(
    `SELECT run_id, status FROM ${db.schema}.runs WHERE run_id = ANY($1)`,
    [runIds],
  );
  expect(ends.filter((r) => r.status !== "completed")).toEqual([]);
  const results = new Map(
    await Promise.all(
      runIds.map(
        async (id) =>
          [
            id,
            ((await (await fetch(`${a.server.url}/api/runs/${id}`)).json()) as { result: Record<string, unknown> })
              .result,
          ] as const,
      ),
    ),
  );
  for (const id of sleepers) expect(results.get(id)?.result, id).toBe("timed out");
  for (const imp of imports) expect(results.get(imp.runId), imp.runId).toMatchObject({ imported: 20_000 });
  for (const c of checkouts) expect(results.get(c.runId), c.runId).toMatchObject({ status: "paid" });

  expect(await logProblems(db, runIds)).toEqual({ gaps: [], steps: [], terminal: [], deliveries: [] });
  const steps = await completedSteps(db, runIds);
  for (const id of sleepers) expect(steps.get(id), id).toBe(2);
  for (const imp of imports) expect(steps.get(imp.runId), imp.runId).toBe(21);
  for (const c of checkouts) expect(steps.get(c.runId), c.runId).toBe(6);
  const retried = await count(
    `SELECT count(*)::int AS n FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'step_started' AND (data->>'attempt')::int > 1`,
    [runIds],
  );
  console.log(
    `[restart] PostgreSQL stopped for 3 s with ${stepsAtStop}/${20 * 2 + 20 * 21} steps of the first 40 runs done; ${retried} steps attempted again; ${runIds.length} runs completed`,
  );
});
