/**
 * onAppend across instances, and what happens when connections drop: the LISTEN client
 * reconnects and LISTENs again; pooled connections are replaced; an operation caught by the
 * drop fails with a WorldError instead of hanging.
 */
import { WorldError } from "@hookline/core/world";
import { describe, expect, it } from "vitest";
import { ev, newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("connections");

/** Terminates every backend of worlds started with this application_name. */
async function cutConnections(applicationName: string): Promise<number> {
  const result = await t.db.admin<{ pid: number }>(
    "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
    [applicationName],
  );
  return result.rowCount ?? 0;
}

describe("onAppend", () => {
  it("tells every instance about appends made by any of them, once each", async () => {
    const [a, b] = await Promise.all([t.world(), t.world()]);
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.onAppend((runId, seq) => seenByA.push(`${runId}:${seq}`));
    const stop = b.onAppend((runId, seq) => seenByB.push(`${runId}:${seq}`));
    const runId = newRunId();
    await a.append(runId, ev.created(), { expectedSeq: 0 });
    await b.append(runId, ev.started(), { expectedSeq: 1 });
    const both = [`${runId}:1`, `${runId}:2`];
    await expect.poll(() => seenByA.filter((s) => s.startsWith(runId)).sort()).toEqual(both);
    await expect.poll(() => seenByB.filter((s) => s.startsWith(runId)).sort()).toEqual(both);
    // Own appends are reported when append returns, and the NOTIFY echo is not reported again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenByA.filter((s) => s.startsWith(runId))).toHaveLength(2);
    expect(seenByB.filter((s) => s.startsWith(runId))).toHaveLength(2);

    stop();
    await a.append(runId, ev.completed(), { expectedSeq: 2 });
    await expect.poll(() => seenByA).toContain(`${runId}:3`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seenByB).not.toContain(`${runId}:3`);
  });

  it("keeps a throwing listener from breaking the append or other listeners", async () => {
    const world = await t.world();
    const seen: number[] = [];
    world.onAppend(() => {
      throw new Error("listener bug");
    });
    world.onAppend((_runId, seq) => seen.push(seq));
    await world.append(newRunId(), ev.created(), { expectedSeq: 0 });
    expect(seen).toEqual([1]);
    expect(t.reported.some((r) => r.where === "onAppend listener")).toBe(true);
  });
});

describe("dropped connections", () => {
  it("reconnects the LISTEN connection and hears appends and enqueues again", async () => {
    const a = await t.world();
    const b = await t.world({ pool: { application_name: "hookline-b-listen" } });
    const heard: string[] = [];
    b.onAppend((runId, seq) => heard.push(`${runId}:${seq}`));
    const delivered: string[] = [];
    b.queue.consume(async (message) => {
      delivered.push(message.runId);
    });

    expect(await cutConnections("hookline-b-listen")).toBeGreaterThanOrEqual(1);
    await expect.poll(() => t.reported.some((r) => r.where === "LISTEN connection"), { timeout: 5_000 }).toBe(true);
    await expect
      .poll(() => t.reported.some((r) => String(r.error).includes("recovered")), { timeout: 10_000 })
      .toBe(true);

    const runId = newRunId();
    await a.append(runId, ev.created(), { expectedSeq: 0 });
    await expect.poll(() => heard, { timeout: 3_000 }).toContain(`${runId}:1`);
    const queued = newRunId();
    await a.queue.enqueue({ runId: queued });
    await expect.poll(() => delivered, { timeout: 3_000 }).toContain(queued);
  });

  it("replaces pooled connections the server dropped", async () => {
    const world = await t.world({ pool: { application_name: "hookline-pool-cut" } });
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    await Promise.all(Array.from({ length: 5 }, () => world.getRun(runId)));
    expect(await cutConnections("hookline-pool-cut")).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Idle connections that died were discarded; the next operations get fresh ones.
    await world.append(runId, ev.started(), { expectedSeq: 1 });
    expect((await world.getRun(runId))?.lastSeq).toBe(2);
  });

  it("fails an operation caught by the drop with a WorldError, then works again", async () => {
    const world = await t.world({ pool: { application_name: "hookline-inflight-cut" } });
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    // Another session holds the run's row, so the append waits inside the database.
    const lock = await lockRun(runId);
    const pending = world.append(runId, ev.started(), { expectedSeq: 1 }).then(
      () => null,
      (error: unknown) => error,
    );
    await expect
      .poll(
        async () =>
          (
            await t.db.admin(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'hookline-inflight-cut' AND wait_event_type = 'Lock'",
            )
          ).rowCount,
      )
      .toBe(1);
    await cutConnections("hookline-inflight-cut");
    const error = await pending;
    expect(WorldError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/appending run_started/);
    await lock.release();
    await world.append(runId, ev.started(), { expectedSeq: 1 });
  });

  it("cancels a statement that runs past queryTimeoutMs, failing with a WorldError and applying nothing", async () => {
    const world = await t.world({ queryTimeoutMs: 300 });
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    const lock = await lockRun(runId);
    const started = performance.now();
    const error = await world.append(runId, ev.started(), { expectedSeq: 1 }).catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    await lock.release();
    // The server cancelled it: once the lock is free, the append still has not happened.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await world.readEvents(runId)).toHaveLength(1);
    await world.append(runId, ev.started(), { expectedSeq: 1 });
  });
});

/** Holds the run's summary row locked in a transaction of its own until released. */
async function lockRun(runId: string): Promise<{ release(): Promise<void> }> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: t.db.url });
  client.on("error", () => {});
  await client.connect();
  await client.query("BEGIN");
  await client.query(`SELECT 1 FROM "${t.db.schema}".runs WHERE run_id = $1 FOR UPDATE`, [runId]);
  return {
    async release() {
      await client.query("ROLLBACK");
      await client.end();
    },
  };
}
