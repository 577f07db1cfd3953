import type { NewEvent, RunStatus, RunSummary, World } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, ev, uniqueId } from "../helpers.js";

const DAY = 86_400_000;
const ends: Record<RunStatus, (at: number) => NewEvent[]> = {
  pending: () => [],
  running: (at) => [ev.runStarted(at + 1)],
  completed: (at) => [ev.runStarted(at + 1), ev.runCompleted(at + 2)],
  failed: (at) => [ev.runStarted(at + 1), ev.runFailed(at + 2)],
  cancelled: (at) => [ev.runCancelled(at + 1)],
};
const STATUSES = Object.keys(ends) as RunStatus[];

/** Runs of `workflowId` at the given times, each brought to the status at the same index (cycling). */
async function seed(
  world: World,
  workflowId: string,
  times: number[],
  statuses: RunStatus[] = STATUSES,
): Promise<RunSummary[]> {
  const made: RunSummary[] = [];
  for (const [i, at] of times.entries()) {
    const runId = uniqueId("run");
    const status = statuses[i % statuses.length]!;
    await appendAll(world, runId, [ev.runCreated(workflowId, at), ...ends[status](at)]);
    made.push((await world.getRun(runId))!);
  }
  return made;
}

const newestFirst = (runs: RunSummary[]) =>
  [...runs].sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
const ids = (runs: RunSummary[]) => runs.map((r) => r.runId);

/** Every page of a listing, following the cursor from each page's last run. */
async function allPages(
  world: World,
  options: { workflowId: string; status?: RunStatus[]; limit: number },
): Promise<string[]> {
  const listed: string[] = [];
  let before: { createdAt: number; runId: string } | undefined;
  for (let page = 0; page < 100; page++) {
    const runs = await world.listRuns({ ...options, ...(before ? { before } : {}) });
    listed.push(...ids(runs));
    const last = runs.at(-1);
    if (runs.length < options.limit || !last) return listed;
    before = { createdAt: last.createdAt, runId: last.runId };
  }
  throw new Error("listRuns never ran out of pages");
}

const countsOf = (rows: Array<{ workflowId: string; status: RunStatus; count: number }>, workflowId: string) =>
  Object.fromEntries(rows.filter((row) => row.workflowId === workflowId).map((row) => [row.status, row.count]));

/** Lists and counts at scale: an index serves them (see World.listRuns and World.countRuns). */
export function runListTests(h: Harness) {
  describe("run lists and counts", () => {
    test("listRuns pages newest first through runs days and milliseconds apart, every status, with and without status filters", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now() - 30 * DAY;
      // Far apart (days), close together (1 ms) and tied (same ms): all in one order.
      const times = [
        t,
        t + 3 * DAY,
        t + 3 * DAY + 1,
        t + 3 * DAY + 1,
        t + 3 * DAY + 1,
        t + 10 * DAY,
        t + 10 * DAY + 100_000,
        t + 20 * DAY,
        t + 29 * DAY,
        t + 29 * DAY + 5,
      ];
      const runs = await seed(h.world, workflowId, times);
      for (const limit of [1, 3, 100])
        expect(await allPages(h.world, { workflowId, limit })).toEqual(ids(newestFirst(runs)));
      const wanted: RunStatus[] = ["running", "failed"];
      const filtered = newestFirst(runs.filter((r) => wanted.includes(r.status)));
      expect(filtered.length).toBe(4);
      expect(await allPages(h.world, { workflowId, status: wanted, limit: 3 })).toEqual(ids(filtered));
      expect(await allPages(h.world, { workflowId, status: ["pending"], limit: 1 })).toEqual(
        ids(newestFirst(runs.filter((r) => r.status === "pending"))),
      );
      // Listed as getRun has them, whole.
      const [first] = await h.world.listRuns({ workflowId, limit: 1 });
      expect(first).toEqual(await h.world.getRun(first!.runId));
    });

    test("a run that changes status leaves its old status's list and joins the new one's, at its place", async () => {
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const [older, run, newer] = await seed(h.world, workflowId, [t, t + 10, t + 20], ["running"]);
      expect(ids(await h.world.listRuns({ workflowId, status: "running" }))).toEqual([
        newer!.runId,
        run!.runId,
        older!.runId,
      ]);
      await h.world.append(run!.runId, ev.runCompleted(t + 30), { expectedSeq: 2 });
      expect(ids(await h.world.listRuns({ workflowId, status: "running" }))).toEqual([newer!.runId, older!.runId]);
      expect(ids(await h.world.listRuns({ workflowId, status: "completed" }))).toEqual([run!.runId]);
      expect(ids(await h.world.listRuns({ workflowId }))).toEqual([newer!.runId, run!.runId, older!.runId]);
      expect(
        await h.world.listRuns({ workflowId, status: "running", before: { createdAt: t + 20, runId: newer!.runId } }),
      ).toMatchObject([{ runId: older!.runId, status: "running" }]);
    });

    test("countRuns counts runs per workflow and status, following every status change", async () => {
      const workflowId = uniqueId("wf");
      const other = uniqueId("wf");
      const t = Date.now();
      const runs = await seed(
        h.world,
        workflowId,
        [t, t + 1, t + 2, t + 3, t + 4, t + 5, t + 6],
        ["pending", "running"],
      );
      await seed(h.world, other, [t], ["failed"]);
      expect(await h.world.countRuns({ workflowId })).toEqual([
        { workflowId, status: "pending", count: 4 },
        { workflowId, status: "running", count: 3 },
      ]);
      const pending = runs.filter((r) => r.status === "pending");
      const running = runs.filter((r) => r.status === "running");
      await appendAll(h.world, pending[0]!.runId, [ev.runStarted(t + 10)], 1);
      await appendAll(h.world, pending[1]!.runId, [ev.runCancelled(t + 10)], 1);
      await appendAll(h.world, running[0]!.runId, [ev.runCompleted(t + 10)], 2);
      await appendAll(h.world, running[1]!.runId, [ev.runFailed(t + 10)], 2);
      expect(countsOf(await h.world.countRuns({ workflowId }), workflowId)).toEqual({
        pending: 2,
        running: 2,
        completed: 1,
        failed: 1,
        cancelled: 1,
      });
      // Unfiltered: every workflow's rows, these among them.
      const all = await h.world.countRuns();
      expect(countsOf(all, workflowId)).toEqual({ pending: 2, running: 2, completed: 1, failed: 1, cancelled: 1 });
      expect(countsOf(all, other)).toEqual({ failed: 1 });
      expect(await h.world.countRuns({ workflowId: uniqueId("wf") })).toEqual([]);
      await expect(h.world.countRuns({ workflowId: 5 as never })).rejects.toThrow(/workflowId must be a string/);
    });

    test("counts and lists agree after a reopen", async ({ skip }) => {
      if (!h.canReopen) skip();
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const runs = await seed(h.world, workflowId, [t, t + 1, t + 2, t + 3, t + 4]);
      const world = await h.reopen();
      expect(countsOf(await world.countRuns({ workflowId }), workflowId)).toEqual({
        pending: 1,
        running: 1,
        completed: 1,
        failed: 1,
        cancelled: 1,
      });
      expect(ids(await world.listRuns({ workflowId }))).toEqual(ids(newestFirst(runs)));
    });

    test("runs created through two instances at once are all listed and counted", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const workflowId = uniqueId("wf");
      const t = Date.now();
      const [a, b] = await Promise.all([
        seed(
          h.world,
          workflowId,
          Array.from({ length: 10 }, (_, i) => t + 2 * i),
          ["running"],
        ),
        seed(
          other,
          workflowId,
          Array.from({ length: 10 }, (_, i) => t + 2 * i + 1),
          ["running"],
        ),
      ]);
      const expected = ids(newestFirst([...a!, ...b!]));
      expect(ids(await h.world.listRuns({ workflowId }))).toEqual(expected);
      expect(ids(await other.listRuns({ workflowId, status: "running" }))).toEqual(expected);
      expect(await h.world.countRuns({ workflowId })).toEqual([{ workflowId, status: "running", count: 20 }]);
    });
  });
}
