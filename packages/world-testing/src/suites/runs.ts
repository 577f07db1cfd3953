import { applyToSummary, type NewEvent, type RunSummary } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, ev, uniqueId } from "../helpers.js";

export function runTests(h: Harness) {
  describe("run summaries", () => {
    test("getRun is null for an unknown run", async () => {
      expect(await h.world.getRun(uniqueId("run"))).toBeNull();
    });

    test("the summary follows the run: status, timestamps and lastSeq after every event", async () => {
      const runId = uniqueId("run");
      const t = 1_700_000_000_000;
      const events: NewEvent[] = [
        ev.runCreated("wf//summary", t),
        ev.runStarted(t + 10),
        ev.stepStarted("o1", t + 20),
        ev.stepCompleted("o1", 1, t + 30),
        ev.runCompleted(t + 40),
      ];
      const expected: Array<Partial<RunSummary>> = [
        { status: "pending", createdAt: t, updatedAt: t, lastSeq: 1 },
        { status: "running", startedAt: t + 10, updatedAt: t + 10, lastSeq: 2 },
        { status: "running", startedAt: t + 10, updatedAt: t + 20, lastSeq: 3 },
        { status: "running", startedAt: t + 10, updatedAt: t + 30, lastSeq: 4 },
        { status: "completed", startedAt: t + 10, endedAt: t + 40, updatedAt: t + 40, lastSeq: 5 },
      ];
      let derived: RunSummary | null = null;
      for (const [i, event] of events.entries()) {
        const stored = await h.world.append(runId, event, { expectedSeq: i });
        derived = applyToSummary(derived, stored);
        const summary = await h.world.getRun(runId);
        expect(summary).toMatchObject({ runId, workflowId: "wf//summary", createdAt: t, ...expected[i] });
        // Every world derives summaries with core's applyToSummary: exactly its result, nothing else.
        expect(summary).toEqual(derived);
      }
    });

    test.each([
      ["failed", ev.runFailed],
      ["cancelled", ev.runCancelled],
    ] as const)("a %s run ends with its endedAt", async (status, end) => {
      const runId = uniqueId("run");
      const t = 1_700_000_100_000;
      await appendAll(h.world, runId, [ev.runCreated("wf//ends", t), ev.runStarted(t + 1), end(t + 2)]);
      expect(await h.world.getRun(runId)).toMatchObject({
        status,
        startedAt: t + 1,
        endedAt: t + 2,
        updatedAt: t + 2,
        lastSeq: 3,
      });
    });

    test("a run cancelled before it started has no startedAt", async () => {
      const runId = uniqueId("run");
      await appendAll(h.world, runId, [ev.runCreated("wf//ends", 5), ev.runCancelled(6)]);
      const summary = await h.world.getRun(runId);
      expect(summary).toMatchObject({ status: "cancelled", endedAt: 6, lastSeq: 2 });
      expect(summary?.startedAt).toBeUndefined();
    });

    test("listRuns filters by workflowId and status, newest first, at most `limit`", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const statuses = ["pending", "running", "completed", "failed", "running", "cancelled"] as const;
      const ids: string[] = [];
      for (const [i, status] of statuses.entries()) {
        const runId = uniqueId("run");
        ids.push(runId);
        const events: NewEvent[] = [ev.runCreated(workflowId, t + i * 10)];
        if (status !== "pending") events.push(ev.runStarted(t + i * 10 + 1));
        if (status === "completed") events.push(ev.runCompleted(t + i * 10 + 2));
        if (status === "failed") events.push(ev.runFailed(t + i * 10 + 2));
        if (status === "cancelled") events.push(ev.runCancelled(t + i * 10 + 2));
        await appendAll(h.world, runId, events);
      }
      await appendAll(h.world, uniqueId("run"), [ev.runCreated(uniqueId("wf"), t + 100)]);
      const newestFirst = [...ids].reverse();
      const idsOf = (runs: RunSummary[]) => runs.map((r) => r.runId);

      const all = await h.world.listRuns({ workflowId });
      expect(idsOf(all)).toEqual(newestFirst);
      for (const summary of all) expect(summary).toEqual(await h.world.getRun(summary.runId));

      expect(idsOf(await h.world.listRuns({ workflowId, status: "running" }))).toEqual([ids[4], ids[1]]);
      expect(idsOf(await h.world.listRuns({ workflowId, status: ["completed", "failed"] }))).toEqual([ids[3], ids[2]]);
      expect(idsOf(await h.world.listRuns({ workflowId, status: "pending" }))).toEqual([ids[0]]);
      expect(idsOf(await h.world.listRuns({ workflowId, limit: 2 }))).toEqual(newestFirst.slice(0, 2));
      expect(idsOf(await h.world.listRuns({ workflowId, status: ["running", "cancelled"], limit: 2 }))).toEqual([
        ids[5],
        ids[4],
      ]);
      expect(await h.world.listRuns({ workflowId: uniqueId("wf") })).toEqual([]);
    });

    test("listRuns pages with a `before` cursor, ties on createdAt broken by runId", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const ids: string[] = [];
      // Three runs share one createdAt, so the cursor must order by runId too.
      for (const at of [t, t + 10, t + 10, t + 10, t + 20]) {
        const runId = uniqueId("run");
        ids.push(runId);
        await appendAll(h.world, runId, [ev.runCreated(workflowId, at)]);
      }
      const all = (await h.world.listRuns({ workflowId })).map((r) => r.runId);
      expect(all).toHaveLength(5);
      const paged: string[] = [];
      let before: { createdAt: number; runId: string } | undefined;
      for (let round = 0; round < 5; round++) {
        const page = await h.world.listRuns({ workflowId, limit: 2, before });
        paged.push(...page.map((r) => r.runId));
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        before = { createdAt: last.createdAt, runId: last.runId };
      }
      expect(paged).toEqual(all);
      await expect(h.world.listRuns({ before: { createdAt: "x", runId: 1 } as never })).rejects.toThrow(
        /before must be/,
      );
    });

    test("listRuns({ rerunOf }) finds every rerun of a run, and only those, with the other filters and the cursor", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const original = uniqueId("run");
      const other = uniqueId("run");
      await appendAll(h.world, original, [ev.runCreated(workflowId, t)]);
      await appendAll(h.world, other, [ev.runCreated(workflowId, t)]);
      const rerun = (of: string, at: number): NewEvent => {
        const created = ev.runCreated(workflowId, at);
        return { ...created, data: { ...created.data, rerunOf: of } } as NewEvent;
      };
      const reruns: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const runId = uniqueId("run");
        reruns.push(runId);
        await appendAll(
          h.world,
          runId,
          i === 3 ? [rerun(original, t + i), ev.runStarted(t + i)] : [rerun(original, t + i)],
        );
        await appendAll(h.world, uniqueId("run"), [rerun(other, t + i)]);
      }
      const idsOf = (runs: RunSummary[]) => runs.map((r) => r.runId);
      const newestFirst = [...reruns].reverse();
      expect(idsOf(await h.world.listRuns({ rerunOf: original }))).toEqual(newestFirst);
      for (const summary of await h.world.listRuns({ rerunOf: original })) expect(summary.rerunOf).toBe(original);
      expect(idsOf(await h.world.listRuns({ rerunOf: original, workflowId, status: "running" }))).toEqual([reruns[2]]);
      expect(
        idsOf(await h.world.listRuns({ rerunOf: original, limit: 2, before: { createdAt: t + 4, runId: reruns[3]! } })),
      ).toEqual([reruns[2], reruns[1]]);
      expect(await h.world.listRuns({ rerunOf: uniqueId("run") })).toEqual([]);
      await expect(h.world.listRuns({ rerunOf: 7 as never })).rejects.toThrow(/rerunOf must be/);
    });

    test("a child run's summary names its parent (run_created's parentRunId), in getRun and listRuns, through its end", async () => {
      const workflowId = uniqueId("wf");
      const parentRunId = uniqueId("run");
      const childRunId = uniqueId("run");
      await appendAll(h.world, parentRunId, [ev.runCreated(workflowId)]);
      const created = ev.runCreated(workflowId);
      await appendAll(h.world, childRunId, [
        { ...created, data: { ...created.data, parentRunId } } as NewEvent,
        ev.runStarted(),
        ev.runCompleted(),
      ]);
      expect(await h.world.getRun(childRunId)).toMatchObject({ runId: childRunId, status: "completed", parentRunId });
      expect((await h.world.getRun(parentRunId))?.parentRunId).toBeUndefined();
      const listed = await h.world.listRuns({ workflowId });
      expect(listed.map((run) => [run.runId, run.parentRunId])).toEqual(
        expect.arrayContaining([
          [childRunId, parentRunId],
          [parentRunId, undefined],
        ]),
      );
    });

    test("listRuns sees status changes", async () => {
      const workflowId = uniqueId("wf");
      const runId = uniqueId("run");
      await appendAll(h.world, runId, [ev.runCreated(workflowId)]);
      expect((await h.world.listRuns({ workflowId, status: "pending" })).map((r) => r.runId)).toEqual([runId]);
      await appendAll(h.world, runId, [ev.runStarted(), ev.runCompleted()], 1);
      expect(await h.world.listRuns({ workflowId, status: "pending" })).toEqual([]);
      expect(await h.world.listRuns({ workflowId, status: "completed" })).toEqual([await h.world.getRun(runId)]);
    });

    test("listRuns returns at most 100 runs unless asked for more, sorted newest first", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now();
      for (let i = 0; i < 101; i++)
        await h.world.append(uniqueId("run"), ev.runCreated(workflowId, t + i), { expectedSeq: 0 });
      const page = await h.world.listRuns({ workflowId });
      expect(page).toHaveLength(100);
      expect(page[0]?.createdAt).toBe(t + 100);
      expect(page.map((r) => r.createdAt)).toEqual([...page.map((r) => r.createdAt)].sort((a, b) => b - a));
      expect(await h.world.listRuns({ workflowId, limit: 500 })).toHaveLength(101);
    });
  });
}
