/**
 * The log is the truth: whatever a crash cuts off between an append and its derived writes
 * (the run summary, the run's hook files, the hook index) is rebuilt from the log. Each test
 * makes the files look exactly as a crash at one point would leave them, then reopens.
 */
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyToSummary,
  HookConflictError,
  type NewEvent,
  type RunSummary,
  type WorkflowEvent,
} from "@hookline/core/world";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLocalWorld, memoryDriver } from "../src/index.js";
import type { LocalWorld } from "../src/local-world.js";

let dir: string;
const open: LocalWorld[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-repair-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((world) => world.close()));
  await rm(dir, { recursive: true, force: true });
});

async function world(): Promise<LocalWorld> {
  const opened = createLocalWorld({ dir, summaryFlushMs: 0 });
  open.push(opened);
  await opened.start();
  return opened;
}

async function close(world: LocalWorld): Promise<void> {
  await world.close();
  open.splice(open.indexOf(world), 1);
}

const runDir = (runId: string) => join(dir, "runs", runId);
const summaryFile = (runId: string) => join(runDir(runId), "summary.json");
const hookFile = (tokenHash: string) => join(dir, "hooks", `${tokenHash}.json`);
const runHookFile = (runId: string, hookId: string) => join(runDir(runId), "hooks", `${hookId}.json`);
const eventFile = (runId: string, seq: number) =>
  join(runDir(runId), "events", `${String(seq).padStart(10, "0")}.json`);

const at = () => Date.now();
const created: NewEvent = { type: "run_created", at: 1_000, data: { workflowId: "wf//repair", args: [], seed: "s" } };
const started: NewEvent = { type: "run_started", at: 1_001, data: {} };
const hookCreated = (corr: string, tokenHash: string): NewEvent => ({
  type: "hook_created",
  corr,
  at: at(),
  data: { kind: "hook", tokenHash },
});
const disposed = (corr: string): NewEvent => ({ type: "hook_disposed", corr, at: at(), data: {} });
const completed: NewEvent = { type: "run_completed", at: 2_000, data: { result: 1 } };

async function appendAll(world: LocalWorld, runId: string, events: NewEvent[]): Promise<WorkflowEvent[]> {
  const stored: WorkflowEvent[] = [];
  for (const event of events) stored.push(await world.append(runId, event, { expectedSeq: stored.length }));
  return stored;
}

const project = (events: WorkflowEvent[]) =>
  events.reduce<RunSummary | null>((summary, event) => applyToSummary(summary, event), null);
const readJson = async <T>(file: string) => JSON.parse(await readFile(file, "utf8")) as T;

describe("repair from the log", () => {
  test("a summary checkpoint behind its log is caught up by getRun and listRuns, and written back", async () => {
    const first = await world();
    const stored = await appendAll(first, "wrun_behind", [created, started, completed]);
    await close(first);
    // As if the process died before the summary of seq 2 and 3 was written.
    await writeFile(summaryFile("wrun_behind"), JSON.stringify(project(stored.slice(0, 1))));

    const second = await world();
    expect(await second.getRun("wrun_behind")).toEqual(project(stored));
    expect((await second.listRuns({ workflowId: "wf//repair" })).map((r) => r.status)).toEqual(["completed"]);
    await close(second);
    // The repaired checkpoint was written back.
    expect(await readJson<RunSummary>(summaryFile("wrun_behind"))).toEqual(project(stored));
  });

  test("a hook_created whose hook files were never written is findable by its token after start()", async () => {
    const first = await world();
    const stored = await appendAll(first, "wrun_claim", [created, started, hookCreated("o1", "aaaa")]);
    await close(first);
    await unlink(hookFile("aaaa"));
    await unlink(runHookFile("wrun_claim", "o1"));
    await writeFile(summaryFile("wrun_claim"), JSON.stringify(project(stored.slice(0, 2))));

    const second = await world();
    expect(await second.getHook("aaaa")).toMatchObject({ runId: "wrun_claim", hookId: "o1", status: "active" });
    expect((await second.listHooks({ runId: "wrun_claim" })).map((h) => h.hookId)).toEqual(["o1"]);
    // And the run's own view knows the hook: a payload is accepted.
    await second.append(
      "wrun_claim",
      { type: "hook_received", corr: "o1", at: at(), data: { payload: 1 } },
      { expectedSeq: 3 },
    );
  });

  test("a hook ended in the log but still active in the index is ended by start(), and its token is free again", async () => {
    const first = await world();
    const stored = await appendAll(first, "wrun_end", [created, started, hookCreated("o1", "bbbb")]);
    const activeIndex = await readFile(hookFile("bbbb"), "utf8");
    const activeRunHook = await readFile(runHookFile("wrun_end", "o1"), "utf8");
    stored.push(await first.append("wrun_end", disposed("o1"), { expectedSeq: 3 }));
    await close(first);
    // The crash came right after the hook_disposed event: nothing derived from it was written.
    await writeFile(hookFile("bbbb"), activeIndex);
    await writeFile(runHookFile("wrun_end", "o1"), activeRunHook);
    await writeFile(summaryFile("wrun_end"), JSON.stringify(project(stored.slice(0, 3))));

    const second = await world();
    expect(await second.getHook("bbbb")).toMatchObject({ runId: "wrun_end", status: "ended", endedAt: stored[3]!.at });
    await appendAll(second, "wrun_next", [created, started, hookCreated("o1", "bbbb")]);
    expect(await second.getHook("bbbb")).toMatchObject({ runId: "wrun_next", status: "active" });
  });

  test("a stale 'active' index entry never blocks a claim: the holder's log is checked first", async () => {
    const first = await world();
    await appendAll(first, "wrun_holder", [created, started, hookCreated("o1", "cccc")]);
    const activeIndex = await readFile(hookFile("cccc"), "utf8");
    await first.append("wrun_holder", completed, { expectedSeq: 3 });
    // An index entry that says active although the holder's run is over (the summary is current,
    // so start() has nothing to repair: only the claim's check of the holder's log catches it).
    await writeFile(hookFile("cccc"), activeIndex);
    await appendAll(first, "wrun_claimer", [created, started]);
    await first.append("wrun_claimer", hookCreated("o1", "cccc"), { expectedSeq: 2 });
    expect(await first.getHook("cccc")).toMatchObject({ runId: "wrun_claimer", status: "active" });

    // A holder that is really active still wins.
    const error = await first
      .append("wrun_holder", hookCreated("o9", "cccc"), { expectedSeq: 4 })
      .catch((e: unknown) => e);
    expect(HookConflictError.is(error)).toBe(true);
    expect((error as HookConflictError).heldBy).toBe("wrun_claimer");
  });

  test("a run that died between its summary placeholder and run_created does not exist", async () => {
    const first = await world();
    await appendAll(first, "wrun_real", [created]);
    await close(first);
    const placeholder: RunSummary = {
      runId: "wrun_ghost",
      workflowId: "wf//repair",
      status: "pending",
      createdAt: 1,
      updatedAt: 1,
      lastSeq: 0,
    };
    await mkdir(runDir("wrun_ghost"), { recursive: true });
    await writeFile(summaryFile("wrun_ghost"), JSON.stringify(placeholder));

    const second = await world();
    expect(await second.getRun("wrun_ghost")).toBeNull();
    expect(await second.readEvents("wrun_ghost")).toEqual([]);
    expect((await second.listRuns({ workflowId: "wf//repair" })).map((r) => r.runId)).toEqual(["wrun_real"]);
    // The id is still free to create.
    await second.append("wrun_ghost", created, { expectedSeq: 0 });
    expect(await second.getRun("wrun_ghost")).toMatchObject({ status: "pending", lastSeq: 1 });
  });

  test("a run created just before a crash (placeholder summary, event 1 stored) is a pending run", async () => {
    const first = await world();
    const stored = await appendAll(first, "wrun_young", [created]);
    await close(first);
    const placeholder: RunSummary = { ...project(stored)!, lastSeq: 0 };
    await writeFile(summaryFile("wrun_young"), JSON.stringify(placeholder));

    const second = await world();
    expect(await second.getRun("wrun_young")).toEqual(project(stored));
    expect((await second.listRuns({ status: "pending" })).map((r) => r.runId)).toEqual(["wrun_young"]);
  });

  test("every record on disk is whole JSON, and the event files are exactly the log", async () => {
    const first = await world();
    const stored = await appendAll(first, "wrun_files", [
      created,
      started,
      hookCreated("o1", "dddd"),
      disposed("o1"),
      completed,
    ]);
    await close(first);
    for (const event of stored)
      expect(await readJson<WorkflowEvent>(eventFile("wrun_files", event.seq))).toEqual(event);
    expect(await readJson(summaryFile("wrun_files"))).toEqual(project(stored));
    expect(await readJson(hookFile("dddd"))).toMatchObject({ runId: "wrun_files", hookId: "o1", status: "ended" });
  });

  test("derived records reach storage before any summary that covers their event", async () => {
    const driver = memoryDriver();
    const writes: Array<{ key: string; value: string }> = [];
    const setItemRaw = driver.setItemRaw!.bind(driver);
    driver.setItemRaw = (key, value, options) => {
      writes.push({ key, value: String(value) });
      return setItemRaw(key, value, options);
    };
    const local = createLocalWorld({ driver, summaryFlushMs: 0 });
    open.push(local);
    const stored = await appendAll(local, "wrun_order", [
      created,
      started,
      hookCreated("o1", "eeee"),
      disposed("o1"),
      completed,
    ]);
    await close(local);

    const firstSummaryCovering = (seq: number) =>
      writes.findIndex(
        (w) => w.key === "runs:wrun_order:summary.json" && (JSON.parse(w.value) as RunSummary).lastSeq >= seq,
      );
    const claim = stored[2]!.seq;
    const end = stored[3]!.seq;
    const indexWrites = writes.flatMap((w, i) =>
      w.key === "hooks:eeee.json" ? [{ i, status: (JSON.parse(w.value) as { status: string }).status }] : [],
    );
    expect(firstSummaryCovering(claim)).toBeGreaterThan(indexWrites.find((w) => w.status === "active")!.i);
    expect(firstSummaryCovering(claim)).toBeGreaterThan(
      writes.findIndex((w) => w.key === "runs:wrun_order:hooks:o1.json"),
    );
    expect(firstSummaryCovering(end)).toBeGreaterThan(indexWrites.find((w) => w.status === "ended")!.i);
    expect(firstSummaryCovering(claim)).toBeGreaterThan(
      writes.findIndex((w) => w.key.endsWith(`events:${String(claim).padStart(10, "0")}.json`)),
    );
  });
});
