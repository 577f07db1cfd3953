/**
 * kill -9 at the worst moments: a child process runs workflows on a data dir and is killed
 * during a step, during a sleep, right after a hook is created and right after a hook's payload
 * is recorded (before the run, woken in memory, could react); a new process on the same dir
 * finishes every run, each step's result recorded once and no event lost.
 */
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { SETTLE_MS } from "../src/host/direct-drives.js";
import { deserialize } from "../src/shared/serialization/index.js";
import type { WorkflowEvent } from "../src/world/events.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, prepareForChild } from "./support/child-process.js";
import { waitFor } from "./support/wait.js";

const children: ChildRuntime[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
});

let app: CompiledApp;
async function crashApp(): Promise<CompiledApp> {
  if (app) return app;
  app = await compileApp({
    "workflows/crash.ts": `
      import { createHook, sleep } from "hookline";
      export async function stepper(label: string) {
        "use workflow";
        const out: number[] = [];
        for (let i = 1; i <= 4; i++) out.push(await work(label, i));
        return out;
      }
      export async function sleeper(label: string) {
        "use workflow";
        const a = await work(label, 1);
        await sleep("1500ms");
        return [a, await work(label, 2)];
      }
      export async function waiter(label: string) {
        "use workflow";
        const hook = createHook<number>({ token: "crash:" + label });
        await announce(label);
        const n = await hook;
        return [n, await work(label, 2)];
      }
      async function work(label: string, i: number) {
        "use step";
        console.log("begin " + label + " " + i);
        await new Promise((r) => setTimeout(r, 150));
        console.log("end " + label + " " + i);
        return i * 10;
      }
      async function announce(label: string) { "use step"; console.log("hook " + label); }
    `,
  });
  await prepareForChild(app);
  return app;
}

function spawnChild(compiled: CompiledApp, dataDir: string): ChildRuntime {
  const child = new ChildRuntime(compiled, dataDir);
  children.push(child);
  return child;
}

async function finishedLog(dataDir: string, runId: string): Promise<WorkflowEvent[]> {
  const world = createLocalWorld({ dir: dataDir });
  await world.start();
  try {
    return await waitFor(
      `run ${runId} to finish`,
      async () => {
        const events = await world.readEvents(runId);
        return events.at(-1)?.type === "run_completed" ? events : undefined;
      },
      30_000,
    );
  } finally {
    await world.close();
  }
}

/** No gaps, one result per step call, results in the order the workflow made the calls. */
function expectSoundLog(events: WorkflowEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const completed = events.filter((e) => e.type === "step_completed").map((e) => e.corr);
  expect(new Set(completed).size).toBe(completed.length);
  expect(events.filter((e) => e.type === "run_completed")).toHaveLength(1);
}

describe("crash recovery (SIGKILL, real processes)", () => {
  test("killed during a step: the step runs again and the run finishes", async () => {
    const compiled = await crashApp();
    const dataDir = await mkdtemp(join(tmpdir(), "hookline-crash-"));
    const first = spawnChild(compiled, dataDir);
    await first.waitForLine(/^ready$/);
    first.send({ start: "workflow//workflows/crash.ts//stepper", args: ["a"] });
    const runId = (await first.waitForLine(/^started /)).split(" ")[1]!;
    await first.waitForLine(/^begin a 3$/);
    await first.kill();
    expect(first.lines).not.toContain("end a 3");

    const second = spawnChild(compiled, dataDir);
    const events = await finishedLog(dataDir, runId);
    expectSoundLog(events);
    expect(deserialize((events.at(-1) as { data: { result: unknown } }).data.result)).toEqual([10, 20, 30, 40]);
    // Steps 1 and 2 were recorded before the kill and are not run again; step 3 is.
    expect(second.lines.filter((l) => l.startsWith("begin a"))).toEqual(["begin a 3", "begin a 4"]);
    const attempts = events
      .filter((e) => e.type === "step_started" && e.corr === "o3")
      .map((e) => (e.data as { attempt: number }).attempt);
    expect(attempts).toEqual([1, 2]);
  });

  test("killed during a sleep: the new process wakes the run when the sleep is due", async () => {
    const compiled = await crashApp();
    const dataDir = await mkdtemp(join(tmpdir(), "hookline-crash-"));
    const first = spawnChild(compiled, dataDir);
    await first.waitForLine(/^ready$/);
    first.send({ start: "workflow//workflows/crash.ts//sleeper", args: ["s"] });
    const runId = (await first.waitForLine(/^started /)).split(" ")[1]!;
    await first.waitForLine(/^end s 1$/);
    await new Promise((r) => setTimeout(r, 100));
    await first.kill();

    const second = spawnChild(compiled, dataDir);
    const events = await finishedLog(dataDir, runId);
    expectSoundLog(events);
    const sleepStarted = events.find((e) => e.type === "sleep_started")!;
    const sleepCompleted = events.find((e) => e.type === "sleep_completed")!;
    expect(sleepCompleted.at - sleepStarted.at).toBeGreaterThanOrEqual(1400);
    expect(second.lines.filter((l) => l.startsWith("begin s"))).toEqual(["begin s 2"]);
  });

  test("killed right after a hook is created: the hook survives and resumes the run", async () => {
    const compiled = await crashApp();
    const dataDir = await mkdtemp(join(tmpdir(), "hookline-crash-"));
    const first = spawnChild(compiled, dataDir);
    await first.waitForLine(/^ready$/);
    first.send({ start: "workflow//workflows/crash.ts//waiter", args: ["h"] });
    const runId = (await first.waitForLine(/^started /)).split(" ")[1]!;
    await first.waitForLine(/^hook h$/);
    await first.kill();

    const second = spawnChild(compiled, dataDir);
    await second.waitForLine(/^ready$/);
    second.send({ resume: "crash:h", payload: 7 });
    await second.waitForLine(/^resumed crash:h$/);
    const events = await finishedLog(dataDir, runId);
    expectSoundLog(events);
    expect(deserialize((events.at(-1) as { data: { result: unknown } }).data.result)).toEqual([7, 20]);
    expect(events.filter((e) => e.type === "hook_created")).toHaveLength(1);
  });

  test("killed right after a payload is recorded, before the warm run reacted: the new process continues the run", async () => {
    const compiled = await crashApp();
    const dataDir = await mkdtemp(join(tmpdir(), "hookline-crash-"));
    const first = spawnChild(compiled, dataDir);
    await first.waitForLine(/^ready$/);
    first.send({ start: "workflow//workflows/crash.ts//waiter", args: ["w"] });
    const runId = (await first.waitForLine(/^started /)).split(" ")[1]!;
    await first.waitForLine(/^hook w$/);
    // Idle, warm in this process, nothing left in the queue: only what the payload's append
    // writes can bring the run back after the kill.
    await waitFor(
      "the queue to empty",
      async () => (await readdir(join(dataDir, "queue")).catch(() => [])).length === 0,
    );
    // The payload wakes the run in memory, and the process dies first.
    first.send({ resume: "crash:w", payload: 5, die: true });
    await first.exited;
    expect(first.lines).not.toContain("begin w 2");

    spawnChild(compiled, dataDir);
    const events = await finishedLog(dataDir, runId);
    expectSoundLog(events);
    expect(deserialize((events.at(-1) as { data: { result: unknown } }).data.result)).toEqual([5, 20]);
    expect(events.filter((e) => e.type === "hook_received")).toHaveLength(1);
    // The restarted process drove it at once, not when the dead one's safety net fell due.
    const received = events.find((e) => e.type === "hook_received")!;
    const reacted = events.find((e) => e.type === "step_started" && e.seq > received.seq)!;
    expect(reacted.at - received.at).toBeLessThan(SETTLE_MS);
  });
});
