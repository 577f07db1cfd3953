/**
 * The scheduler's tick policy on a clock the test sets (host/scheduler.ts): a timer firing runs
 * the latest due tick once, never the ticks missed before it one by one, never a tick before the
 * schedule existed; and a daily 02:30 in Europe/Berlin across both daylight-saving changes.
 * Runs and timers are recorded by a fake runtime; the schedules live in a local world.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { Scheduler } from "../src/host/scheduler.js";
import type { World } from "../src/world/world.js";

let world: World;
let started: string[];
let timers: Array<{ runId: string; dueAt: string; key?: string }>;
let scheduler: Scheduler;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  world = createLocalWorld({ driver: "memory" });
  await world.start();
  started = [];
  timers = [];
  scheduler = new Scheduler({
    world: {
      schedules: world.schedules,
      queue: {
        enqueue: async (message, options = {}) => {
          timers.push({
            runId: message.runId,
            dueAt: new Date(Date.now() + (options.delayMs ?? 0)).toISOString(),
            key: options.key,
          });
        },
        consume: () => ({ stop: async () => {} }),
      },
    },
    start: async (_workflowId, _args, { idempotencyKey }) => {
      started.push(idempotencyKey);
      return { runId: `run-${started.length}` };
    },
    workflowIds: () => null,
    report: (error) => {
      throw error;
    },
  });
});

afterEach(async () => {
  vi.useRealTimers();
  await world.close();
});

const declare = (cron: string, timezone = "UTC") => ({
  id: "nightly",
  workflowId: "workflow//w.ts//nightly",
  cron,
  timezone,
  args: [],
});

describe("scheduler", () => {
  test("after a downtime of three days only the latest missed tick runs, once; the timer is set for the next", async () => {
    vi.setSystemTime(new Date("2026-12-01T12:00:00Z"));
    await scheduler.sync([declare("0 3 * * *")]);
    vi.setSystemTime(new Date("2026-12-02T03:00:00.200Z"));
    await scheduler.fire("nightly");
    expect(started).toEqual(["schedule:nightly:2026-12-02T03:00:00.000Z"]);
    // Down from here until the 5th at noon: the ticks of the 3rd, 4th and 5th are missed.
    vi.setSystemTime(new Date("2026-12-05T12:00:00Z"));
    await scheduler.sync([declare("0 3 * * *")]);
    await scheduler.fire("nightly");
    expect(started).toEqual(["schedule:nightly:2026-12-02T03:00:00.000Z", "schedule:nightly:2026-12-05T03:00:00.000Z"]);
    expect(timers.at(-1)).toMatchObject({ dueAt: "2026-12-06T03:00:00.000Z" });
    // The timer firing again (another instance, a redelivery) starts nothing more.
    await scheduler.fire("nightly");
    expect(started).toHaveLength(2);
    const [info] = await scheduler.list();
    expect(info).toMatchObject({ id: "nightly", origin: "declared", lastRunId: "run-2" });
    expect(info!.lastTickAt?.toISOString()).toBe("2026-12-05T03:00:00.000Z");
    expect(info!.nextRunAt?.toISOString()).toBe("2026-12-06T03:00:00.000Z");
  });

  test("a tick before the schedule existed never runs, and changing the cron starts over from the change", async () => {
    vi.setSystemTime(new Date("2026-12-01T03:00:30Z"));
    await scheduler.sync([declare("0 3 * * *")]);
    await scheduler.fire("nightly");
    expect(started).toEqual([]);
    expect(timers.at(-1)).toMatchObject({ dueAt: "2026-12-02T03:00:00.000Z" });
    vi.setSystemTime(new Date("2026-12-01T05:00:00Z"));
    await scheduler.sync([declare("0 4 * * *")]);
    await scheduler.fire("nightly");
    expect(started).toEqual([]);
  });

  test("a declared schedule the build no longer has is removed; its timer then finds nothing", async () => {
    vi.setSystemTime(new Date("2026-12-01T12:00:00Z"));
    await scheduler.sync([declare("0 3 * * *")]);
    await scheduler.sync([]);
    expect(await scheduler.list()).toEqual([]);
    vi.setSystemTime(new Date("2026-12-02T03:00:00Z"));
    const before = timers.length;
    await scheduler.fire("nightly");
    expect(started).toEqual([]);
    expect(timers).toHaveLength(before);
  });

  test("02:30 daily in Europe/Berlin: one run on the spring-forward day (at 03:30 CEST) and one on the fall-back day (the first 02:30)", async () => {
    vi.setSystemTime(new Date("2026-03-27T12:00:00Z"));
    await scheduler.sync([declare("30 2 * * *", "Europe/Berlin")]);
    // Fire at every timer the scheduler sets, as the queue would, through both changes.
    const fireUntil = async (endIso: string) => {
      for (;;) {
        const next = timers.at(-1)!;
        if (next.dueAt > endIso) return;
        vi.setSystemTime(new Date(next.dueAt));
        await scheduler.fire("nightly");
      }
    };
    await scheduler.fire("nightly");
    await fireUntil("2026-03-31T00:00:00.000Z");
    expect(started).toEqual([
      "schedule:nightly:2026-03-28T01:30:00.000Z",
      "schedule:nightly:2026-03-29T01:30:00.000Z",
      "schedule:nightly:2026-03-30T00:30:00.000Z",
    ]);
    started.length = 0;
    vi.setSystemTime(new Date("2026-10-24T12:00:00Z"));
    await scheduler.fire("nightly");
    started.length = 0;
    await fireUntil("2026-10-25T00:30:00.000Z");
    // A timer firing at the second 02:30 (CET, 01:30Z) starts nothing.
    vi.setSystemTime(new Date("2026-10-25T01:30:00Z"));
    await scheduler.fire("nightly");
    await fireUntil("2026-10-26T12:00:00.000Z");
    expect(started).toEqual(["schedule:nightly:2026-10-25T00:30:00.000Z", "schedule:nightly:2026-10-26T01:30:00.000Z"]);
  });
});
