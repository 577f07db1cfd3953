/**
 * Sealed segments (segments.ts): a long log reads the same through them as through its event
 * files, from any seq; a block is sealed after its last append, or by the next whole-log read
 * when no one sealed it; a damaged segment is never believed; appends still conflict at sealed seqs.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventConflictError, type NewEvent, type WorkflowEvent } from "@hookline/core/world";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createLocalWorld, type LocalWorldOptions } from "../src/index.js";
import type { LocalWorld } from "../src/local-world.js";
import { SEGMENT_EVENTS } from "../src/segments.js";

let dir: string;
const open: LocalWorld[] = [];
const reported: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-segments-"));
  reported.length = 0;
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((world) => world.close()));
  await rm(dir, { recursive: true, force: true });
});

async function world(options: LocalWorldOptions = {}): Promise<LocalWorld> {
  const opened = createLocalWorld({
    dir,
    onError: (error, where) => reported.push(`${where}: ${String(error)}`),
    ...options,
  });
  open.push(opened);
  await opened.start();
  return opened;
}

/** Appends a log of `count` events: run_created, run_started, then steps started and completed. */
async function appendLog(w: LocalWorld, runId: string, count: number): Promise<void> {
  for (let seq = 0; seq < count; seq++) {
    const event: NewEvent =
      seq === 0
        ? { type: "run_created", at: 1, data: { workflowId: "wf//long", args: [], seed: "s" } }
        : seq === 1
          ? { type: "run_started", at: 2, data: {} }
          : seq % 2 === 0
            ? {
                type: "step_started",
                corr: `o${seq >> 1}`,
                at: seq,
                data: { stepId: "step//s", attempt: 1, args: [seq] },
              }
            : { type: "step_completed", corr: `o${seq >> 1}`, at: seq, data: { stepId: "step//s", result: { seq } } };
    await w.append(runId, event, { expectedSeq: seq });
  }
}

/** The log as its event files hold it: the truth segments must agree with. */
async function eventFiles(runId: string): Promise<WorkflowEvent[]> {
  const names = (await readdir(join(dir, "runs", runId, "events"))).sort();
  return Promise.all(
    names.map(
      async (name) => JSON.parse(await readFile(join(dir, "runs", runId, "events", name), "utf8")) as WorkflowEvent,
    ),
  );
}

const segmentsOf = async (runId: string) =>
  (await readdir(join(dir, "runs", runId, "segments")).catch(() => [] as string[])).sort();

test("a long log is sealed block by block as it is appended, and reads the same from any seq", async () => {
  const w = await world();
  const count = 2 * SEGMENT_EVENTS + 90;
  await appendLog(w, "run_long", count);
  await expect.poll(() => segmentsOf("run_long")).toEqual(["0000000001.json", "0000000257.json"]);
  const truth = await eventFiles("run_long");
  expect(truth).toHaveLength(count);
  for (const after of [
    0,
    1,
    100,
    SEGMENT_EVENTS - 1,
    SEGMENT_EVENTS,
    SEGMENT_EVENTS + 1,
    2 * SEGMENT_EVENTS,
    count - 1,
    count,
  ]) {
    expect(await w.readEvents("run_long", after), `after ${after}`).toEqual(truth.slice(after));
  }
  // Another process's world reads it the same way.
  const other = await world();
  expect(await other.readEvents("run_long")).toEqual(truth);
  expect(reported).toEqual([]);
});

test("blocks no one sealed (a crash after the last append, a folder from an older version) are sealed by the next whole-log read", async () => {
  const w = await world();
  await appendLog(w, "run_unsealed", SEGMENT_EVENTS * 2 + 3);
  await w.close();
  await rm(join(dir, "runs", "run_unsealed", "segments"), { recursive: true, force: true });
  const reader = await world();
  const truth = await eventFiles("run_unsealed");
  // From mid-block: not a whole block from its files, so that one stays unsealed.
  expect(await reader.readEvents("run_unsealed", 5)).toEqual(truth.slice(5));
  expect(await segmentsOf("run_unsealed")).toEqual(["0000000257.json"]);
  expect(await reader.readEvents("run_unsealed")).toEqual(truth);
  expect(await segmentsOf("run_unsealed")).toEqual(["0000000001.json", "0000000257.json"]);
  expect(await reader.readEvents("run_unsealed")).toEqual(truth);
});

test("a segment that does not hold its block is reported, never believed, and sealed again from the files", async () => {
  const w = await world();
  await appendLog(w, "run_damaged", SEGMENT_EVENTS + 10);
  await expect.poll(() => segmentsOf("run_damaged")).toEqual(["0000000001.json"]);
  const path = join(dir, "runs", "run_damaged", "segments", "0000000001.json");
  const truth = await eventFiles("run_damaged");
  const damaged = truth.slice(0, SEGMENT_EVENTS).map((event) => (event.seq === 7 ? { ...event, seq: 8 } : event));
  for (const text of ["[{", JSON.stringify(truth.slice(1, SEGMENT_EVENTS + 1)), JSON.stringify(damaged), "{}"]) {
    await writeFile(path, text);
    reported.length = 0;
    expect(await w.readEvents("run_damaged")).toEqual(truth);
    expect(reported).toEqual([expect.stringMatching(/does not hold seqs 1–256 of run run_damaged/)]);
    // Sealed again by that read, from the event files.
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual(truth.slice(0, SEGMENT_EVENTS));
  }
});

test("appends at a sealed seq still conflict: the event files stay the log", async () => {
  const w = await world();
  await appendLog(w, "run_sealed", SEGMENT_EVENTS + 2);
  await expect.poll(() => segmentsOf("run_sealed")).toHaveLength(1);
  const event: NewEvent = { type: "step_started", corr: "late", at: 9, data: { stepId: "step//s", attempt: 1 } };
  for (const writer of [w, await world()]) {
    await expect(writer.append("run_sealed", event, { expectedSeq: 10 })).rejects.toSatisfy(EventConflictError.is);
    await expect(writer.append("run_sealed", event, { expectedSeq: SEGMENT_EVENTS - 1 })).rejects.toSatisfy(
      EventConflictError.is,
    );
  }
  expect(await eventFiles("run_sealed")).toHaveLength(SEGMENT_EVENTS + 2);
});

test("on the memory driver, a log past a block reads the same from any seq", async () => {
  const w = await world({ driver: "memory" });
  await appendLog(w, "run_memory", SEGMENT_EVENTS + 1);
  const events = await w.readEvents("run_memory");
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: SEGMENT_EVENTS + 1 }, (_, i) => i + 1));
  expect(await w.readEvents("run_memory", SEGMENT_EVENTS)).toEqual(events.slice(SEGMENT_EVENTS));
});
