/**
 * A real process holding work is killed with SIGKILL: its leased messages go to another
 * instance once the lease expires, and its appends are all-or-nothing (every acknowledged
 * event is there, nothing half-written, the summary matches the log).
 */
import { randomBytes } from "node:crypto";
import type { Delivery } from "@hookline/core/world";
import { expect, it, vi } from "vitest";
import { spawnChildWorld } from "./support/child-world.js";
import { ev, newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("death");

it("redelivers a message leased by a killed instance to another one after the lease expires", async () => {
  const child = spawnChildWorld({ url: t.db.url, schema: t.db.schema, mode: "hang", leaseMs: 600 });
  try {
    await child.waitFor((line) => line.started === true);
    const survivor = await t.world({ leaseMs: 600 });
    const runId = newRunId();
    await survivor.queue.enqueue({ runId });
    await child.waitFor((line) => line.claimed === runId);
    const deliveries: Array<Delivery & { at: number }> = [];
    survivor.queue.consume(async (message, delivery) => {
      if (message.runId === runId) deliveries.push({ ...delivery, at: performance.now() });
    });
    // Held past several lease periods while the child lives: it renews.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(deliveries).toHaveLength(0);
    const killedAt = performance.now();
    await child.kill();
    await expect.poll(() => deliveries.length, { timeout: 5_000, interval: 20 }).toBe(1);
    expect(deliveries[0]!.attempt).toBe(2);
    // Due when the last renewed lease runs out, found by the survivor's timer, not the 30 s safety pass.
    expect(deliveries[0]!.at - killedAt).toBeLessThan(5_000);
  } finally {
    await child.kill();
  }
});

it("keeps every acknowledged append of a killed writer and nothing half-written", async () => {
  const world = await t.world();
  const runId = newRunId();
  await world.append(runId, ev.created(), { expectedSeq: 0 });
  const applicationName = `hookline-dying-${randomBytes(3).toString("hex")}`;
  const child = spawnChildWorld({ url: t.db.url, schema: t.db.schema, mode: "append", runId, applicationName });
  try {
    await child.waitFor((line) => typeof line.appended === "number" && line.appended >= 150);
  } finally {
    await child.kill();
  }
  // The dead writer's last statement may still commit on the server (unacknowledged): read once its backends are gone.
  await vi.waitFor(
    async () => {
      const { rows } = await t.db.admin<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
        [applicationName],
      );
      expect(rows[0]!.n).toBe(0);
    },
    { timeout: 10_000, interval: 50 },
  );
  const acknowledged = Math.max(...child.lines.map((line) => Number(line.appended ?? 0)));
  const events = await world.readEvents(runId);
  const summary = await world.getRun(runId);
  expect(events.length).toBeGreaterThanOrEqual(acknowledged);
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  expect(summary?.lastSeq).toBe(events.length);
  const wakes = await t.db.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${t.db.schema}".queue WHERE run_id = $1`,
    [runId],
  );
  // One wake per appended step event, none for an append that did not commit.
  expect(wakes.rows[0]!.n).toBe(events.length - 1);
  // The log takes appends again from where the dead writer left it.
  await world.append(runId, ev.completed(), { expectedSeq: events.length });
});
