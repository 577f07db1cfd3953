/**
 * Crash safety with real processes: children append to a run on an fs data directory and are
 * SIGKILLed at random moments, many times. Afterwards every record must parse, the log must be
 * contiguous, every append a child saw resolve must be there, every sealed segment must hold its
 * block of the log, and a new world must derive the same summary and hook index from the log.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkflowEvent } from "@hookline/core/world";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLocalWorld } from "../src/index.js";
import { SEGMENT_EVENTS } from "../src/segments.js";
import { type Child, kill, startChild } from "./support/processes.js";
import { tokenHashFor } from "./support/tokens.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-crash-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KILLS = 20;

/** Kills the child a random 0–`maxMs` ms after its first acknowledged append. */
async function runUntilKilled(child: Child, acked: Map<number, string>, writer: string, maxMs = 30) {
  await child.waitForLine(/^ready$/);
  await child.waitForLine(/^ack /).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs));
  await kill(child);
  for (const line of child.lines) if (line.startsWith("ack ")) acked.set(Number(line.slice(4)), writer);
}

/** Every file in the data directory, parsed: a torn or partial record fails here. */
async function parseEveryRecord(root: string): Promise<number> {
  let count = 0;
  const walk = async (path: string) => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        // Temp files are not records: they are written before being linked into place.
        if (entry.name !== "tmp") await walk(full);
        continue;
      }
      const text = await readFile(full, "utf8");
      // The secret is hex, the .gitignore a pattern: every other record is JSON.
      if (entry.name === "secret" || entry.name === ".gitignore") continue;
      expect(() => JSON.parse(text), `${full} holds ${JSON.stringify(text.slice(0, 80))}`).not.toThrow();
      count++;
    }
  };
  await walk(root);
  return count;
}

/** Every sealed segment the killed processes left holds exactly its block of the event files; how many there are. */
async function checkSegments(runId: string): Promise<number> {
  const read = async (folder: string, name: string) =>
    JSON.parse(await readFile(join(dir, "runs", runId, folder, name), "utf8")) as unknown;
  const names = await readdir(join(dir, "runs", runId, "segments")).catch(() => [] as string[]);
  for (const name of names) {
    const first = Number(name.slice(0, -5));
    const files = Array.from({ length: SEGMENT_EVENTS }, (_, i) => `${String(first + i).padStart(10, "0")}.json`);
    expect(await read("segments", name)).toEqual(await Promise.all(files.map((file) => read("events", file))));
  }
  return names.length;
}

async function verify(runId: string, acked: Map<number, string>) {
  await parseEveryRecord(dir);
  const sealed = await checkSegments(runId);
  const world = createLocalWorld({ dir });
  await world.start();
  try {
    const events = await world.readEvents(runId);
    const last = events.length;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // The killed processes sealed the blocks they finished (one may have died in between), and this read sealed the rest.
    expect(sealed).toBeGreaterThanOrEqual(Math.floor(last / SEGMENT_EVENTS) - KILLS);
    expect(await checkSegments(runId)).toBe(Math.floor(last / SEGMENT_EVENTS));
    const files = await readdir(join(dir, "runs", runId, "events"));
    expect(files.filter((f) => f.endsWith(".json"))).toHaveLength(last);
    // Every acknowledged append is in the log, written by the writer that saw it resolve.
    expect(acked.size).toBeGreaterThan(0);
    for (const [seq, writer] of acked) {
      const event = events[seq - 1] as WorkflowEvent & { data: { n?: number; writer?: string } };
      expect(event, `acknowledged seq ${seq} is missing (log ends at ${last})`).toBeDefined();
      expect(event.data.n).toBe(seq);
      expect(event.data.writer).toBe(writer);
    }
    // The derived state agrees with the log, whatever the kills cut off.
    const summary = await world.getRun(runId);
    expect(summary).toMatchObject({ runId, status: "running", lastSeq: last });
    for (const event of events) {
      if (event.type !== "hook_created") continue;
      const disposed = events.some((e) => e.type === "hook_disposed" && e.corr === event.corr);
      expect(await world.getHook(tokenHashFor(event.seq - 1))).toMatchObject({
        runId,
        hookId: event.corr,
        status: disposed ? "ended" : "active",
      });
    }
    expect((await world.listHooks({ runId })).length).toBe(events.filter((e) => e.type === "hook_created").length);
    // And the world goes on appending after the last seq.
    expect(
      (
        await world.append(
          runId,
          { type: "run_completed", at: Date.now(), data: { result: null } },
          { expectedSeq: last },
        )
      ).seq,
    ).toBe(last + 1);
    expect(await world.listHooks({ runId, status: "active" })).toEqual([]);
  } finally {
    await world.close();
  }
}

describe("killing the process at random moments (SIGKILL)", () => {
  test(`one writer, killed ${KILLS} times: no torn record, no lost acknowledged append`, async () => {
    const runId = "run_crash_single";
    const acked = new Map<number, string>();
    for (let i = 0; i < KILLS; i++) await runUntilKilled(startChild(["append", dir, runId, "solo"]), acked, "solo");
    await verify(runId, acked);
  }, 180_000);

  test("two processes racing on one run, killed over and over: each seq has exactly one writer", async () => {
    const runId = "run_crash_race";
    const acked = new Map<number, string>();
    for (let i = 0; i < KILLS / 2; i++) {
      const a = startChild(["append", dir, runId, "a"]);
      const b = startChild(["append", dir, runId, "b"]);
      await Promise.all([runUntilKilled(a, acked, "a"), runUntilKilled(b, acked, "b")]);
      expect(a.stderr() + b.stderr()).toBe("");
    }
    expect(new Set(acked.values())).toEqual(new Set(["a", "b"]));
    await verify(runId, acked);
  }, 180_000);

  test("a long log of small events, killed while it seals block after block: every segment is whole and right", async () => {
    const runId = "run_crash_long";
    const acked = new Map<number, string>();
    // At least KILLS / 2 lives, and more until four blocks are acknowledged: a busy machine acks fewer per life.
    for (let i = 0; i < KILLS / 2 || (acked.size <= 4 * SEGMENT_EVENTS && i < 3 * KILLS); i++) {
      await runUntilKilled(startChild(["append", dir, runId, "long", "0"]), acked, "long", 600);
    }
    expect(acked.size).toBeGreaterThan(4 * SEGMENT_EVENTS);
    await verify(runId, acked);
  }, 180_000);
});

describe("a message being handled when its process died", () => {
  test("is delivered again after a restart", async () => {
    const setup = createLocalWorld({ dir });
    await setup.start();
    await setup.queue.enqueue({ runId: "run_inflight" });
    await setup.queue.enqueue({ runId: "run_later" }, { delayMs: 300 });
    await setup.close();

    const child = startChild(["handle", dir]);
    const line = await child.waitForLine(/^handling .* run_inflight$/);
    await kill(child);
    const id = line.split(" ")[1];

    const world = createLocalWorld({ dir });
    const seen: Array<{ runId: string; id: string }> = [];
    world.queue.consume(async (message, delivery) => {
      seen.push({ runId: message.runId, id: delivery.id });
    });
    await world.start();
    try {
      await expect
        .poll(() => seen.map((s) => s.runId).sort(), { timeout: 10_000 })
        .toEqual(["run_inflight", "run_later"]);
      expect(seen.find((s) => s.runId === "run_inflight")?.id).toBe(id);
    } finally {
      await world.close();
    }
  }, 60_000);
});
