import type { ScheduleRecord } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { settle, uniqueId } from "../helpers.js";

function record(id: string, overrides: Partial<ScheduleRecord> = {}): ScheduleRecord {
  return {
    id,
    workflowId: "wf//scheduled",
    cron: "0 9 * * 1-5",
    timezone: "Europe/Berlin",
    args: { json: ["ops"] },
    origin: "created",
    createdAt: 1_000,
    since: 1_000,
    ...overrides,
  };
}

/** Cron schedules as the world keeps them (World.schedules): ids with any characters, one winner per id. */
export function scheduleTests(h: Harness) {
  describe("schedules", () => {
    test("create stores a schedule once; a second create with its id returns the stored one", async () => {
      const id = `report:${uniqueId("customer")}/ä ü`;
      const first = await h.world.schedules.create(record(id));
      expect(first).toEqual({ record: record(id), created: true });
      const second = await h.world.schedules.create(record(id, { cron: "0 10 * * *", createdAt: 2_000, since: 2_000 }));
      expect(second).toEqual({ record: record(id), created: false });
      expect(await h.world.schedules.get(id)).toEqual(record(id));
      expect((await h.world.schedules.list()).filter((s) => s.id === id)).toEqual([record(id)]);
    });

    test("concurrent creates with one id, on every instance there is, store exactly one", async () => {
      const id = uniqueId("race");
      const worlds = h.hasPeers ? [h.world, await h.peer()] : [h.world];
      const outcomes = await settle(
        Array.from({ length: 20 }, (_, i) =>
          worlds[i % worlds.length]!.schedules.create(record(id, { cron: `${i} 9 * * *` })),
        ),
      );
      const results = outcomes.map((o) => {
        if (!o.ok) throw o.error;
        return o.value;
      });
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.record;
      for (const r of results) expect(r.record.cron).toBe(winner.cron);
      expect(await h.world.schedules.get(id)).toEqual(winner);
    });

    test("declare keeps since while the definition is the same, moves it when it changes, and keeps the last tick", async () => {
      const id = uniqueId("declared");
      const declared = record(id, { origin: "declared" });
      await h.world.schedules.declare(declared);
      await h.world.schedules.recordTick(id, 5_000, "run_a");
      await h.world.schedules.declare({ ...declared, createdAt: 9_000, since: 9_000 });
      expect(await h.world.schedules.get(id)).toEqual({ ...declared, lastTick: 5_000, lastRunId: "run_a" });
      await h.world.schedules.declare({ ...declared, cron: "0 10 * * *", createdAt: 9_500, since: 9_500 });
      expect(await h.world.schedules.get(id)).toEqual({
        ...declared,
        cron: "0 10 * * *",
        since: 9_500,
        lastTick: 5_000,
        lastRunId: "run_a",
      });
      await h.world.schedules.declare({
        ...declared,
        cron: "0 10 * * *",
        args: { json: ["dev"] },
        createdAt: 9_900,
        since: 9_900,
      });
      expect((await h.world.schedules.get(id))?.since).toBe(9_900);
    });

    test("recordTick only moves forward, and records nothing for a deleted schedule", async () => {
      const id = uniqueId("ticks");
      await h.world.schedules.create(record(id));
      await h.world.schedules.recordTick(id, 2_000, "run_2");
      await h.world.schedules.recordTick(id, 1_500, "run_1");
      expect(await h.world.schedules.get(id)).toMatchObject({ lastTick: 2_000, lastRunId: "run_2" });
      expect(await h.world.schedules.delete(id)).toBe(true);
      expect(await h.world.schedules.delete(id)).toBe(false);
      await h.world.schedules.recordTick(id, 3_000, "run_3");
      expect(await h.world.schedules.get(id)).toBeNull();
      expect((await h.world.schedules.list()).some((s) => s.id === id)).toBe(false);
    });

    test("schedules survive a restart", async ({ skip }) => {
      if (!h.canReopen) skip();
      const id = uniqueId("durable");
      await h.world.schedules.create(record(id));
      await h.world.schedules.recordTick(id, 2_000, "run_2");
      const reopened = await h.reopen();
      expect(await reopened.schedules.get(id)).toEqual({ ...record(id), lastTick: 2_000, lastRunId: "run_2" });
    });
  });
}
