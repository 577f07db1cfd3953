import { EventConflictError, HooklineError, LOG_FORMAT_VERSION, type NewEvent } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, settle, uniqueId } from "../helpers.js";

export function eventLogTests(h: Harness) {
  describe("event log", () => {
    test("append stores each event at the next seq and returns it as stored", async () => {
      const runId = uniqueId("run");
      const events: NewEvent[] = [
        ev.runCreated("wf//log", 1_000),
        ev.runStarted(1_001),
        ev.stepStarted("o1", 1_002),
        ev.stepCompleted("o1", { n: 1 }, 1_003),
      ];
      for (const [i, event] of events.entries()) {
        const stored = await h.world.append(runId, event, { expectedSeq: i });
        expect(stored).toEqual({ ...event, v: LOG_FORMAT_VERSION, runId, seq: i + 1 });
      }
      const read = await h.world.readEvents(runId);
      expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(read).toEqual(events.map((event, i) => ({ ...event, v: LOG_FORMAT_VERSION, runId, seq: i + 1 })));
    });

    test("readEvents(afterSeq) returns only the newer events, in order", async () => {
      const runId = await createRun(h.world, { started: true });
      await appendAll(
        h.world,
        runId,
        [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ev.stepStarted(`o${n}`)),
        2,
      );
      expect((await h.world.readEvents(runId)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await h.world.readEvents(runId, 0)).length).toBe(10);
      expect((await h.world.readEvents(runId, 6)).map((e) => e.seq)).toEqual([7, 8, 9, 10]);
      expect((await h.world.readEvents(runId, 9)).map((e) => e.corr)).toEqual(["o8"]);
      expect(await h.world.readEvents(runId, 10)).toEqual([]);
      expect(await h.world.readEvents(runId, 500)).toEqual([]);
    });

    test("an unknown run has no events", async () => {
      expect(await h.world.readEvents(uniqueId("run"))).toEqual([]);
    });

    test("event data round-trips exactly, key order included: nesting, unicode, __proto__ keys, a large payload", async () => {
      const runId = await createRun(h.world);
      // Replay depends on key order (Object.keys of a step's result), so it must survive too.
      const result = {
        zebra: 1,
        apple: [1, "two", { three: null, four: [true, false] }, []],
        unicode: 'héllo ✓ 👋 \u0000 \n\t"quoted"',
        numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
        empty: {},
        "10": "numeric-looking key",
        proto: JSON.parse('{"__proto__": {"kept": "as data"}}') as unknown,
        large: "x".repeat(256 * 1024),
      };
      await h.world.append(runId, ev.stepCompleted("o1", result), { expectedSeq: 1 });
      const [event] = await h.world.readEvents(runId, 1);
      expect(event?.type).toBe("step_completed");
      expect(JSON.stringify(event?.type === "step_completed" ? event.data.result : null)).toBe(JSON.stringify(result));
    });

    test("append at a taken seq throws EventConflictError and leaves the log as the winner wrote it", async () => {
      const runId = await createRun(h.world);
      await h.world.append(runId, ev.stepStarted("o1"), { expectedSeq: 1 });
      const error = await h.world.append(runId, ev.stepStarted("other"), { expectedSeq: 1 }).catch((e: unknown) => e);
      expect(EventConflictError.is(error), `expected EventConflictError, got ${String(error)}`).toBe(true);
      const events = await h.world.readEvents(runId);
      expect(events.map((e) => [e.seq, e.corr])).toEqual([
        [1, undefined],
        [2, "o1"],
      ]);
    });

    test("of N writers racing for the same seq exactly one wins; the others get EventConflictError and read the winner's event", async () => {
      const runId = await createRun(h.world, { started: true });
      const racers = Array.from({ length: h.options.racers }, (_, i) => `racer${i}`);
      const outcomes = await settle(
        racers.map((corr) => h.world.append(runId, ev.stepStarted(corr), { expectedSeq: 2 })),
      );
      const winners = outcomes.filter((o) => o.ok);
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes)
        if (!outcome.ok) expect(EventConflictError.is(outcome.error), String(outcome.error)).toBe(true);
      const winner = winners[0]!.ok ? winners[0]!.value : undefined;
      const newer = await h.world.readEvents(runId, 2);
      expect(newer).toEqual([winner]);
      // A loser that has read the winner's event appends after it.
      const next = await h.world.append(runId, ev.stepCompleted(winner!.corr!), { expectedSeq: 3 });
      expect(next.seq).toBe(4);
      expect((await h.world.readEvents(runId)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    });

    test("of N writers racing to create the same run exactly one wins", async () => {
      const runId = uniqueId("run");
      const outcomes = await settle(
        Array.from({ length: h.options.racers }, (_, i) =>
          h.world.append(runId, ev.runCreated(`wf//racer${i}`), { expectedSeq: 0 }),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      for (const outcome of outcomes)
        if (!outcome.ok) expect(EventConflictError.is(outcome.error), String(outcome.error)).toBe(true);
      const events = await h.world.readEvents(runId);
      expect(events).toHaveLength(1);
      expect((await h.world.getRun(runId))?.workflowId).toBe(
        events[0]?.type === "run_created" ? events[0].data.workflowId : "?",
      );
    });

    test("concurrent appends to different runs do not interfere", async () => {
      const runs = await Promise.all(Array.from({ length: h.options.racers }, () => createRun(h.world)));
      await Promise.all(
        runs.map((runId) =>
          appendAll(h.world, runId, [ev.runStarted(), ev.stepStarted("o1"), ev.stepCompleted("o1")], 1),
        ),
      );
      for (const runId of runs) {
        const events = await h.world.readEvents(runId);
        expect(events.map((e) => [e.runId, e.seq, e.type])).toEqual([
          [runId, 1, "run_created"],
          [runId, 2, "run_started"],
          [runId, 3, "step_started"],
          [runId, 4, "step_completed"],
        ]);
      }
    });

    test("an expectedSeq past the end of the log is refused and leaves no hole", async () => {
      const runId = await createRun(h.world, { started: true });
      const error = await h.world.append(runId, ev.stepStarted("o1"), { expectedSeq: 5 }).catch((e: unknown) => e);
      expect(HooklineError.is(error), `expected a Hookline error, got ${String(error)}`).toBe(true);
      expect((await h.world.readEvents(runId)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await h.world.append(runId, ev.stepStarted("o1"), { expectedSeq: 2 })).seq).toBe(3);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(3);
    });

    test("run_created is accepted only as a run's first event (expectedSeq 0), once", async () => {
      const runId = uniqueId("run");
      const early = await h.world.append(runId, ev.runCreated(), { expectedSeq: 1 }).catch((e: unknown) => e);
      expect(HooklineError.is(early), `expected a Hookline error, got ${String(early)}`).toBe(true);
      expect(await h.world.readEvents(runId)).toEqual([]);

      await h.world.append(runId, ev.runCreated("wf//first"), { expectedSeq: 0 });
      const again = await h.world
        .append(runId, ev.runCreated("wf//second"), { expectedSeq: 0 })
        .catch((e: unknown) => e);
      expect(EventConflictError.is(again), `expected EventConflictError, got ${String(again)}`).toBe(true);
      const later = await h.world
        .append(runId, ev.runCreated("wf//third"), { expectedSeq: 1 })
        .catch((e: unknown) => e);
      expect(HooklineError.is(later), `expected a Hookline error, got ${String(later)}`).toBe(true);
      expect(await h.world.readEvents(runId)).toHaveLength(1);
      expect((await h.world.getRun(runId))?.workflowId).toBe("wf//first");
    });

    test("a run's first event must be run_created", async () => {
      const runId = uniqueId("run");
      const error = await h.world.append(runId, ev.runStarted(), { expectedSeq: 0 }).catch((e: unknown) => e);
      expect(HooklineError.is(error), `expected a Hookline error, got ${String(error)}`).toBe(true);
      expect(await h.world.readEvents(runId)).toEqual([]);
      expect(await h.world.getRun(runId)).toBeNull();
    });

    test("a long log stays contiguous and reads back page by page", async () => {
      const runId = await createRun(h.world, { started: true });
      const count = 300;
      await appendAll(
        h.world,
        runId,
        Array.from({ length: count }, (_, i) => ev.stepStarted(`o${i}`)),
        2,
      );
      const all = await h.world.readEvents(runId);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: count + 2 }, (_, i) => i + 1));
      const pages = [];
      for (let after = 0; after < count + 2; after += 50)
        pages.push(...(await h.world.readEvents(runId, after)).slice(0, 50));
      expect(pages).toEqual(all);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(count + 2);
    });
  });
}
