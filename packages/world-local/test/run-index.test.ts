/**
 * The run index (run-index.ts) on an fs data directory: built for worlds written before it
 * existed, repaired after a crash cut off a move, and shared by processes creating runs at once
 * or killed at any moment. Each check compares listRuns and countRuns with the runs' own logs.
 */
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyToSummary,
  type NewEvent,
  type RunCount,
  type RunSummary,
  type WorkflowEvent,
} from "@hookline/core/world";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLocalWorld } from "../src/index.js";
import { kill, startChild } from "./support/processes.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-run-index-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T = 1_760_000_000_000;
const created = (workflowId: string, at: number): NewEvent => ({
  type: "run_created",
  at,
  data: { workflowId, args: [], seed: "s" },
});
const started: NewEvent = { type: "run_started", at: T + 1, data: {} };
const completed: NewEvent = { type: "run_completed", at: T + 2, data: { result: 1 } };

/** What the runs' logs say, read run by run with getRun: every run newest first, and the counts. */
async function truth(world: ReturnType<typeof createLocalWorld>): Promise<{ runs: RunSummary[]; counts: RunCount[] }> {
  const runs: RunSummary[] = [];
  for (const runId of await readdir(join(dir, "runs"))) {
    const summary = await world.getRun(runId);
    if (summary) runs.push(summary);
  }
  runs.sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : -1));
  const tally = new Map<string, RunCount>();
  for (const run of runs) {
    const key = `${run.workflowId} ${run.status}`;
    const row = tally.get(key) ?? { workflowId: run.workflowId, status: run.status, count: 0 };
    row.count++;
    tally.set(key, row);
  }
  const order = ["pending", "running", "completed", "failed", "cancelled"];
  const counts = [...tally.values()].sort((a, b) =>
    a.workflowId < b.workflowId
      ? -1
      : a.workflowId > b.workflowId
        ? 1
        : order.indexOf(a.status) - order.indexOf(b.status),
  );
  return { runs, counts };
}

/** Runs per workflow and status as the event files say, read without a world (which would repair the index). */
async function countsInLogs(): Promise<RunCount[]> {
  const tally = new Map<string, RunCount>();
  for (const runId of await readdir(join(dir, "runs"))) {
    const folder = join(dir, "runs", runId, "events");
    let summary: RunSummary | null = null;
    for (const name of (await readdir(folder).catch(() => [] as string[])).sort())
      summary = applyToSummary(summary, JSON.parse(await readFile(join(folder, name), "utf8")) as WorkflowEvent);
    if (!summary) continue;
    const key = `${summary.workflowId} ${summary.status}`;
    const row = tally.get(key) ?? { workflowId: summary.workflowId, status: summary.status, count: 0 };
    row.count++;
    tally.set(key, row);
  }
  const order = ["pending", "running", "completed", "failed", "cancelled"];
  return [...tally.values()].sort((a, b) =>
    a.workflowId < b.workflowId
      ? -1
      : a.workflowId > b.workflowId
        ? 1
        : order.indexOf(a.status) - order.indexOf(b.status),
  );
}

async function expectIndexMatchesLogs(expectedRuns?: number): Promise<void> {
  const world = createLocalWorld({ dir });
  await world.start();
  try {
    const { runs, counts } = await truth(world);
    if (expectedRuns !== undefined) expect(runs).toHaveLength(expectedRuns);
    // Counts first: a listing repairs what it meets on its way.
    expect(await world.countRuns()).toEqual(counts);
    expect((await world.listRuns({ limit: 10_000 })).map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
    for (const status of ["running", "cancelled"] as const) {
      expect((await world.listRuns({ status, limit: 10_000 })).map((r) => r.runId)).toEqual(
        runs.filter((r) => r.status === status).map((r) => r.runId),
      );
    }
  } finally {
    await world.close();
  }
}

describe("the run index", () => {
  test("runs written before the index existed are listed and counted after start", async () => {
    const first = createLocalWorld({ dir });
    for (let i = 0; i < 12; i++) {
      const runId = `wrun_old_${i}`;
      await first.append(runId, created(`wf//old-${i % 2}`, T + i * 86_400_000), { expectedSeq: 0 });
      if (i % 3 !== 0) await first.append(runId, started, { expectedSeq: 1 });
      if (i % 3 === 2) await first.append(runId, completed, { expectedSeq: 2 });
    }
    await first.close();
    // The layout as an older Hookline left it: runs, and no index.
    await rm(join(dir, "runindex"), { recursive: true });
    await expectIndexMatchesLogs(12);
  });

  test("a status change whose index move a crash cut off is moved at start", async () => {
    const first = createLocalWorld({ dir });
    await first.append("wrun_cut", created("wf//cut", T), { expectedSeq: 0 });
    await first.append("wrun_cut", started, { expectedSeq: 1 });
    await first.close();
    // As a process killed right after storing run_completed leaves it: the event, nothing derived.
    const events = join(dir, "runs", "wrun_cut", "events");
    await writeFile(join(events, "0000000003.json"), JSON.stringify({ ...completed, runId: "wrun_cut", seq: 3 }));
    await expectIndexMatchesLogs(1);
    const world = createLocalWorld({ dir });
    expect(await world.countRuns({ workflowId: "wf//cut" })).toEqual([
      { workflowId: "wf//cut", status: "completed", count: 1 },
    ]);
    expect(await world.listRuns({ status: "running" })).toEqual([]);
    await world.close();
  });

  test("a run created by a process killed before its index entry is listed and counted at start", async () => {
    const first = createLocalWorld({ dir });
    await first.append("wrun_listed", created("wf//cut", T), { expectedSeq: 0 });
    await first.append("wrun_unlisted", created("wf//cut", T + 5), { expectedSeq: 0 });
    await first.close();
    // Its entry and count never written, its summary the placeholder written before run_created.
    const index = join(dir, "runindex");
    const files = (await readdir(index, { recursive: true })) as string[];
    await unlink(join(index, files.find((name) => name.endsWith("~wrun_unlisted"))!));
    const countsFile = files.find((name) => name.startsWith("counts") && name.endsWith(".json"))!;
    await writeFile(join(index, countsFile), JSON.stringify({ workflowId: "wf//cut", counts: { pending: 1 } }));
    await writeFile(
      join(dir, "runs", "wrun_unlisted", "summary.json"),
      JSON.stringify({
        runId: "wrun_unlisted",
        workflowId: "wf//cut",
        status: "pending",
        createdAt: T + 5,
        updatedAt: T + 5,
        lastSeq: 0,
      }),
    );
    await expectIndexMatchesLogs(2);
  });

  test("a run's reruns are listed from their own entries, without reading the workflow's other runs, also in a folder written before those entries existed", async () => {
    const first = createLocalWorld({ dir });
    const rerun = (of: string, at: number): NewEvent => ({
      type: "run_created",
      at,
      data: { workflowId: "wf//orders", args: [], seed: "s", rerunOf: of },
    });
    await first.append("wrun_original", created("wf//orders", T), { expectedSeq: 0 });
    for (let i = 0; i < 30; i++)
      await first.append(`wrun_other_${i}`, created("wf//orders", T + 10 + i), { expectedSeq: 0 });
    await first.append("wrun_rerun_a", rerun("wrun_original", T + 100), { expectedSeq: 0 });
    await first.append("wrun_rerun_b", rerun("wrun_original", T + 200), { expectedSeq: 0 });
    await first.append("wrun_rerun_b", started, { expectedSeq: 1 });
    await first.close();
    const others = Array.from({ length: 30 }, (_, i) => join(dir, "runs", `wrun_other_${i}`, "summary.json"));
    const saved = await Promise.all(others.map((path) => readFile(path, "utf8")));
    const ids = async () => {
      const world = createLocalWorld({ dir });
      await world.start();
      // Started: any read of the other runs would now fail, so only the reruns' own summaries may be read.
      for (const path of others) await writeFile(path, "not json");
      try {
        const all = (await world.listRuns({ rerunOf: "wrun_original", workflowId: "wf//orders" })).map((r) => r.runId);
        const running = (await world.listRuns({ rerunOf: "wrun_original", status: "running" })).map((r) => r.runId);
        const older = (
          await world.listRuns({ rerunOf: "wrun_original", before: { createdAt: T + 200, runId: "wrun_rerun_b" } })
        ).map((r) => r.runId);
        return {
          all,
          running,
          older,
          none: await world.listRuns({ rerunOf: "wrun_rerun_a" }),
          invalid: await world.listRuns({ rerunOf: "../x" }),
        };
      } finally {
        await world.close();
        for (const [i, path] of others.entries()) await writeFile(path, saved[i]!);
      }
    };
    const expected = {
      all: ["wrun_rerun_b", "wrun_rerun_a"],
      running: ["wrun_rerun_b"],
      older: ["wrun_rerun_a"],
      none: [],
      invalid: [],
    };
    expect(await ids()).toEqual(expected);
    // As an older Hookline left the folder: no rerun entries; the next start writes them.
    await rm(join(dir, "runindex", "reruns"), { recursive: true });
    await rm(join(dir, "runindex", "reruns.json"));
    expect(await ids()).toEqual(expected);
    expect((await readdir(join(dir, "runindex", "reruns", "wrun_original"))).sort()).toEqual([
      `${String(T + 100).padStart(15, "0")}~wrun_rerun_a`,
      `${String(T + 200).padStart(15, "0")}~wrun_rerun_b`,
    ]);
  });

  test("two processes creating and ending runs at once: every run is listed and counted", async () => {
    const children = [startChild(["runs", dir, "a", "40"]), startChild(["runs", dir, "b", "40"])];
    await Promise.all(children.map((child) => child.waitForLine(/^done$/, 60_000)));
    await Promise.all(children.map((child) => child.exited));
    await expectIndexMatchesLogs(80);
  }, 90_000);

  test("after processes are SIGKILLed at random moments, a world started before the kills counts what the logs say, without a restart", async () => {
    const world = createLocalWorld({ dir });
    await world.start();
    try {
      for (let round = 0; round < 8; round++) {
        const children = [startChild(["runs", dir, `s${round}a`, "0"]), startChild(["runs", dir, `s${round}b`, "0"])];
        await Promise.all(children.map((child) => child.waitForLine(/^ran /, 30_000)));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
        await Promise.all(children.map((child) => kill(child)));
        expect(await world.countRuns(), `after round ${round}`).toEqual(await countsInLogs());
      }
    } finally {
      await world.close();
    }
  }, 120_000);

  test("processes SIGKILLed at random moments while creating and ending runs leave an index that matches the logs", async () => {
    for (let round = 0; round < 5; round++) {
      const children = [startChild(["runs", dir, `k${round}a`, "0"]), startChild(["runs", dir, `k${round}b`, "0"])];
      await Promise.all(children.map((child) => child.waitForLine(/^ran /, 30_000)));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      await Promise.all(children.map((child) => kill(child)));
    }
    await expectIndexMatchesLogs();
  }, 120_000);
});
