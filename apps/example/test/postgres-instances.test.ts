/**
 * Three `next start` instances of the example on one PostgreSQL database (HOOKLINE_WORLD=postgres,
 * one HOOKLINE_SECRET), behind a round-robin balancer: 200 runs started across them all complete,
 * every step's result is recorded once, hooks and webhooks are resumed by instances other than
 * the one driving the run; then one instance is SIGKILLed in the middle of steps and sleeps, and
 * the others finish its runs once its leases expire. A trigger records which instance appended
 * each event, so the crossings are counted in the database, not assumed.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completedSteps, eventsWithWriters, logProblems, recordWriters, type WrittenEvent } from "./support/event-log";
import { type Cluster, customersCsv, type Instance, postJson, startCluster } from "./support/instances";
import { eventually } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

const LEASE_MS = 3_000;

let pgServer: PostgresServer;
let db: TestDatabase;
let cluster: Cluster;

beforeAll(async () => {
  await productionBuild();
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "instances");
  cluster = await startCluster({
    databaseUrl: db.url,
    names: ["a", "b", "c"],
    env: { HOOKLINE_POSTGRES_LEASE_MS: String(LEASE_MS) },
  });
  await recordWriters(db);
});

afterAll(async () => {
  await cluster?.close();
  await db?.drop();
  await pgServer?.stop();
});

const alive = () => cluster.instances.filter((i) => i.alive);
const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

interface RunView {
  status: string;
  result?: Record<string, unknown>;
  error?: string;
}

async function view(runId: string): Promise<RunView> {
  const instance = alive()[Math.floor(Math.random() * alive().length)]!;
  const response = await fetch(`${instance.server.url}/api/runs/${runId}`);
  if (!response.ok) throw new Error(`GET /api/runs/${runId} answered ${response.status}`);
  return (await response.json()) as RunView;
}

/** Resolves once every run has ended (completed, failed or cancelled), per the database. */
async function allEnded(runIds: string[], timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await db.admin<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${db.schema}.runs WHERE run_id = ANY($1) AND status IN ('completed', 'failed', 'cancelled')`,
        [runIds],
      );
      return rows[0]!.n === runIds.length ? true : undefined;
    },
    timeoutMs,
    `${runIds.length} runs to end`,
  );
}

interface Import {
  runId: string;
  importId: string;
  rows: number;
  /** The instance that received the upload and resumed the run. */
  resumedBy?: string;
}

/** Starts imports, then uploads each file to an instance other than the one that drove its run to the hook. */
async function runImports(count: number, rows: (i: number) => number, via: (i: number) => Instance): Promise<Import[]> {
  const imports = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = await postJson<{ runId: string; importId: string }>(`${via(i).server.url}/api/imports`, {
        fileName: `customers-${i}.csv`,
      });
      return { ...started, rows: rows(i) } as Import;
    }),
  );
  const waiting = new Map(imports.map((imp) => [tokenHash(`upload:${imp.importId}`), imp]));
  await eventually(
    async () => {
      const { rows: active } = await db.admin<{ token_hash: string; writer: string }>(
        `SELECT h.token_hash, w.writer FROM ${db.schema}.hooks h
           JOIN public.event_writers w ON w.run_id = h.run_id AND w.corr = h.hook_id AND w.type = 'hook_created'
          WHERE h.token_hash = ANY($1) AND h.status = 'active'`,
        [[...waiting.keys()]],
      );
      await Promise.all(
        active.map(async ({ token_hash, writer }) => {
          const imp = waiting.get(token_hash);
          if (!imp) return;
          waiting.delete(token_hash);
          const target = alive().find((i) => i.writer !== writer) ?? alive()[0]!;
          const response = await fetch(`${target.server.url}/api/uploads/${imp.importId}`, {
            method: "PUT",
            body: customersCsv(imp.rows),
          });
          expect(response.status, await response.clone().text()).toBe(200);
          imp.resumedBy = target.writer;
        }),
      );
      return waiting.size === 0 ? true : undefined;
    },
    60_000,
    "every import to wait for its upload",
  );
  return imports;
}

/** The instance that appended the latest event before `index` that a driver (not a hook delivery) wrote. */
function lastDriver(events: WrittenEvent[], index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.run_id !== events[index]!.run_id) return undefined;
    if (e.type !== "hook_received" && e.type !== "hook_rejected") return e.writer;
  }
  return undefined;
}

async function expectCompleteLogs(runIds: string[]): Promise<void> {
  const problems = await logProblems(db, runIds);
  expect(problems).toEqual({ gaps: [], steps: [], terminal: [], deliveries: [] });
}

describe("three instances, one database", () => {
  it("complete 200 runs started across them, recording each step once, with hooks and webhooks resumed across instances", async () => {
    const started = performance.now();
    const instances = cluster.instances;
    const via = (i: number) => instances[i % instances.length]!;

    // 100 checkouts: the provider (any instance, through the balancer) sends 2–3 manual-response
    // webhooks each, answered inline by a step of whichever instance drives the run.
    const checkouts = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const card = i % 5 === 0 ? "declined" : "good";
        const { runId, orderId } = await postJson<{ runId: string; orderId: string }>(
          `${via(i).server.url}/api/checkout`,
          { card },
        );
        return { runId, orderId, card };
      }),
    );
    // 50 verifications: a webhook raced against a durable sleep.
    const verifications = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const scan = i % 2 ? "clear" : "blurry";
        const { runId } = await postJson<{ runId: string }>(`${via(i + 1).server.url}/api/verify`, { scan });
        return { runId, scan };
      }),
    );
    // 50 imports: a createHook wait resumed by the upload route of another instance.
    const imports = await runImports(
      50,
      (i) => 500 + 60 * i,
      (i) => via(i + 2),
    );

    const runIds = [...checkouts, ...verifications, ...imports].map((r) => r.runId);
    expect(new Set(runIds).size).toBe(200);
    await allEnded(runIds, 120_000);
    const elapsed = performance.now() - started;

    // Every run completed with the result its inputs call for.
    const views = new Map(await Promise.all(runIds.map(async (id) => [id, await view(id)] as const)));
    const failed = [...views]
      .filter(([, v]) => v.status !== "completed")
      .map(([id, v]) => `${id}: ${v.status} ${v.error ?? ""}`);
    expect(failed).toEqual([]);
    for (const { runId, card } of checkouts) {
      const result = views.get(runId)!.result as { status: string; ledger: { event: string }[] };
      expect(result.status, runId).toBe(card === "good" ? "paid" : "declined");
      expect(result.ledger.map((l) => l.event)).toEqual(
        card === "good"
          ? ["payment.created", "payment.authorized", "payment.succeeded"]
          : ["payment.created", "payment.failed"],
      );
    }
    for (const { runId, scan } of verifications)
      expect(views.get(runId)!.result?.result, runId).toBe(scan === "clear" ? "verified" : "rejected");
    for (const imp of imports)
      expect(views.get(imp.runId)!.result, imp.runId).toMatchObject({ rows: imp.rows, imported: imp.rows });

    // The provider got every answer on its own request, from the step that recorded the event.
    await Promise.all(
      checkouts.map(async ({ orderId, card }) => {
        const logs = await Promise.all(
          instances.map(
            async (i) =>
              (await (await fetch(`${i.server.url}/api/fake-psp/payments?orderId=${orderId}`)).json()) as {
                deliveries: { status: number; answer: string }[];
              },
          ),
        );
        const deliveries = logs.flatMap((l) => l.deliveries);
        expect(
          deliveries.map((d) => [d.status, JSON.parse(d.answer).ledgerLine]),
          orderId,
        ).toEqual((card === "good" ? [1, 2, 3] : [1, 2]).map((line) => [200, line]));
      }),
    );

    // Each step call recorded once: the workflows' step counts, exactly.
    await expectCompleteLogs(runIds);
    const steps = await completedSteps(db, runIds);
    for (const { runId, card } of checkouts) expect(steps.get(runId), runId).toBe(card === "good" ? 6 : 3);
    for (const { runId } of verifications) expect(steps.get(runId), runId).toBe(2);
    for (const imp of imports) expect(steps.get(imp.runId), imp.runId).toBe(1 + Math.ceil(imp.rows / 1000));

    // Who did what, counted from the log.
    const events = await eventsWithWriters(db, runIds);
    const writers = new Set(events.map((e) => e.writer));
    expect([...writers].sort()).toEqual(["hookline-a", "hookline-b", "hookline-c"]);
    const receivedBy = new Map(
      events.filter((e) => e.type === "hook_received" && e.request_id).map((e) => [e.request_id!, e.writer]),
    );
    const webhookDeliveries = events.flatMap((e, i) =>
      e.type === "hook_received" && e.request_id ? [{ e, driver: lastDriver(events, i) }] : [],
    );
    const deliveredElsewhere = webhookDeliveries.filter(({ e, driver }) => driver && driver !== e.writer);
    const responses = events.filter((e) => e.type === "webhook_responded");
    const answeredElsewhere = responses.filter((e) => receivedBy.get(e.request_id!) !== e.writer);
    const uploadsElsewhere = events.filter(
      (e, i) => e.type === "hook_received" && !e.request_id && lastDriver(events, i) !== e.writer,
    );
    const drivenByMany = new Set(
      events
        .filter((e) => e.type !== "hook_received" && e.type !== "run_created")
        .map((e) => `${e.run_id} ${e.writer}`),
    );
    const runsDrivenByMany = runIds.filter(
      (id) => [...writers].filter((w) => drivenByMany.has(`${id} ${w}`)).length > 1,
    );
    console.log(
      `[instances] 200 runs on 3 instances in ${(elapsed / 1000).toFixed(1)} s; ` +
        `webhook deliveries to an instance other than the run's last driver: ${deliveredElsewhere.length}/${webhookDeliveries.length}; ` +
        `manual responses sent by a step on another instance than the one holding the request: ${answeredElsewhere.length}/${responses.length}; ` +
        `hooks resumed from another instance: ${uploadsElsewhere.length}/${imports.length}; runs driven by more than one instance: ${runsDrivenByMany.length}/200`,
    );
    expect(responses.length).toBe(checkouts.reduce((n, c) => n + (c.card === "good" ? 3 : 2), 0));
    expect(deliveredElsewhere.length).toBeGreaterThan(0);
    expect(answeredElsewhere.length).toBeGreaterThan(0);
    expect(uploadsElsewhere.length).toBe(imports.length);
  });

  it("make one run of 100 checkouts sent at once with one Idempotency-Key across the instances, and answer all with it", async () => {
    const key = `retry-${Date.now()}`;
    const via = (i: number) => cluster.instances[i % cluster.instances.length]!;
    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await fetch(`${via(i).server.url}/api/checkout`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": key },
          body: JSON.stringify({ card: "good" }),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { runId: string; orderId: string };
      }),
    );
    expect(new Set(answers.map((a) => a.runId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.orderId)).size).toBe(1);
    const { rows } = await db.admin<{ run_id: string }>(
      `SELECT run_id FROM ${db.schema}.events WHERE type = 'run_created' AND data->>'idempotencyKey' = $1`,
      [`checkout:${key}`],
    );
    expect(rows.map((r) => r.run_id)).toEqual([answers[0]!.runId]);
  });

  it("finish the runs of an instance SIGKILLed in the middle of steps and sleeps, once its leases expire", async () => {
    const victim = cluster.get("c");
    const via = (i: number) => cluster.instances[i % cluster.instances.length]!;
    // Verifications whose vendor answers after the deadline: each sleeps 6 s, and the sleep decides.
    const sleepers = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) => (await postJson<{ runId: string }>(`${via(i).server.url}/api/verify`, { scan: "slow" })).runId,
      ),
    );
    // Imports of 20,000 rows: 21 steps each, one after another, so steps are running when the victim dies.
    const imports = await runImports(30, () => 20_000, via);
    const runIds = [...sleepers, ...imports.map((i) => i.runId)];

    // Freeze the victim until it is caught with a step started but not finished and a sleep not
    // yet over (what it holds is then known), and kill it there.
    const caught = await eventually(
      async () => {
        cluster.signal(victim, "SIGSTOP");
        // Statements it sent before it froze still commit: let them.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { rows } = await db.admin<{ steps: number; sleeps: number }>(
          `SELECT
             (SELECT count(*)::int FROM public.event_writers s WHERE s.writer = $1 AND s.type = 'step_started' AND s.run_id = ANY($2)
                AND NOT EXISTS (SELECT 1 FROM ${db.schema}.events o WHERE o.run_id = s.run_id AND o.corr = s.corr AND o.type IN ('step_completed', 'step_failed'))) AS steps,
             (SELECT count(*)::int FROM public.event_writers s WHERE s.writer = $1 AND s.type = 'sleep_started' AND s.run_id = ANY($2)
                AND NOT EXISTS (SELECT 1 FROM ${db.schema}.events o WHERE o.run_id = s.run_id AND o.corr = s.corr AND o.type = 'sleep_completed')) AS sleeps`,
          [victim.writer, runIds],
        );
        if (rows[0]!.steps > 0 && rows[0]!.sleeps > 0) return rows[0]!;
        cluster.signal(victim, "SIGCONT");
        await new Promise((resolve) => setTimeout(resolve, 20));
        return undefined;
      },
      30_000,
      "the victim to hold a running step and a pending sleep",
    );
    const killedAt = Date.now();
    cluster.signal(victim, "SIGKILL");
    await victim.server.stop("SIGKILL");

    await allEnded(runIds, 60_000);
    const views = await Promise.all(runIds.map(view));
    expect(views.map((v) => v.status)).toEqual(runIds.map(() => "completed"));
    for (const [i, runId] of sleepers.entries()) expect(views[i]!.result?.result, runId).toBe("timed out");
    for (const [i, imp] of imports.entries())
      expect(views[sleepers.length + i]!.result, imp.runId).toMatchObject({ imported: 20_000 });

    await expectCompleteLogs(runIds);
    const steps = await completedSteps(db, runIds);
    for (const runId of sleepers) expect(steps.get(runId), runId).toBe(2);
    for (const imp of imports) expect(steps.get(imp.runId), imp.runId).toBe(21);

    // What the victim held was finished by the others: its started steps attempted again and
    // completed there, its sleeps completed there.
    const events = await eventsWithWriters(db, runIds);
    const interrupted = events.filter(
      (s) =>
        s.type === "step_started" &&
        s.writer === victim.writer &&
        !events.some(
          (o) =>
            o.run_id === s.run_id && o.corr === s.corr && o.writer === victim.writer && o.type === "step_completed",
        ),
    );
    const retried = interrupted.map((s) => {
      const next = events.find(
        (o) => o.run_id === s.run_id && o.corr === s.corr && o.type === "step_started" && o.attempt! > s.attempt!,
      );
      const done = events.find((o) => o.run_id === s.run_id && o.corr === s.corr && o.type === "step_completed");
      return { next, done };
    });
    expect(interrupted.length).toBeGreaterThanOrEqual(caught.steps);
    for (const { next, done } of retried) {
      expect(next?.writer).not.toBe(victim.writer);
      expect(done?.writer).not.toBe(victim.writer);
    }
    const sleepsTakenOver = events.filter(
      (s) =>
        s.type === "sleep_started" &&
        s.writer === victim.writer &&
        events.some(
          (o) =>
            o.run_id === s.run_id && o.corr === s.corr && o.type === "sleep_completed" && o.writer !== victim.writer,
        ),
    );
    expect(sleepsTakenOver.length).toBeGreaterThanOrEqual(caught.sleeps);
    const { rows } = await db.admin<{ at: number }>(
      `SELECT min(at) AS at FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'step_started' AND (data->>'attempt')::int > 1`,
      [runIds],
    );
    console.log(
      `[instances] killed c holding ${caught.steps} running steps and ${caught.sleeps} pending sleeps; ` +
        `${interrupted.length} steps attempted again on a or b (first ${Math.round(rows[0]!.at - killedAt)} ms after the kill, lease ${LEASE_MS} ms); ` +
        `${sleepsTakenOver.length} of c's sleeps completed by a or b; ${runIds.length} runs completed`,
    );
  });
});
