import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { getRun, rerun } from "../src/api.js";
import { hashToken } from "../src/host/tokens.js";
import {
  InvalidArgumentError,
  ReplayDivergenceError,
  RunCancelledError,
  RunNotFoundError,
  SerializationError,
  WorkflowNotRegisteredError,
} from "../src/shared/errors.js";
import { serialize } from "../src/shared/serialization/index.js";
import { compileApp } from "./support/app.js";
import { closeRuntime, runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

const tempDir = () => mkdtemp(join(tmpdir(), "hookline-world-"));

describe("runs", () => {
  test("status moves pending → running → completed; getWorkflowMetadata and getStepMetadata describe the run", async () => {
    const runtime = await runtimeFor({
      "workflows/meta.ts": `
        import { getWorkflowMetadata, getStepMetadata } from "hookline";
        export async function meta() {
          "use workflow";
          const w = getWorkflowMetadata();
          const s = await stepMeta();
          return { runId: w.runId, sdkRunId: w.workflowRunId, name: w.workflowName, url: w.url, startedIsDate: w.startedAt instanceof Date, step: s };
        }
        async function stepMeta() {
          "use step";
          const m = getStepMetadata();
          const w = getWorkflowMetadata();
          return { stepId: m.stepId, attempt: m.attempt, key: m.idempotencyKey, runId: m.runId, workflowRunId: w.workflowRunId, workflowName: w.workflowName };
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/meta.ts//meta", []);
    const value = (await run.returnValue) as Record<string, unknown>;
    expect(value).toEqual({
      runId: run.runId,
      sdkRunId: run.runId,
      name: "meta",
      url: "http://127.0.0.1:3000",
      startedIsDate: true,
      step: {
        stepId: "step//workflows/meta.ts//stepMeta",
        attempt: 1,
        key: `${run.runId}:o1`,
        runId: run.runId,
        workflowRunId: run.runId,
        workflowName: "meta",
      },
    });
    const types = (await runtime.world.readEvents(run.runId)).map((e) => e.type);
    expect(types).toEqual(["run_created", "run_started", "step_started", "step_completed", "run_completed"]);
  });

  test("start() refuses bad input with clear errors and records nothing", async () => {
    const runtime = await runtimeFor({
      "workflows/noop.ts": `export async function noop(x: unknown) { "use workflow"; return x; }`,
    });
    await expect(runtime.start((async () => 1) as never, [])).rejects.toSatisfy(InvalidArgumentError.is);
    await expect(runtime.start("workflow//workflows/noop.ts//noop", "x" as never)).rejects.toThrow(/must be an array/);
    await expect(runtime.start("workflow//workflows/missing.ts//missing", [])).rejects.toSatisfy(
      WorkflowNotRegisteredError.is,
    );
    const error = await runtime
      .start("workflow//workflows/noop.ts//noop", [{ customer: { socket: Symbol("s") } }])
      .catch((e: unknown) => e);
    expect(SerializationError.is(error)).toBe(true);
    expect((error as Error).message).toContain("args[0].customer.socket");
    expect(await runtime.world.listRuns()).toEqual([]);
  });

  test("a run from before bundle ids replays on the current build: a changed workflow fails it with ReplayDivergenceError naming both calls", async () => {
    const dir = await tempDir();
    const before = await compileApp({
      "workflows/shop.ts": `
        import { createHook } from "hookline";
        export async function shop() { "use workflow"; await charge(); await createHook({ token: "shop" }); return "done"; }
        async function charge() { "use step"; return 1; }
      `,
    });
    const first = await runtimeFor(before, { world: createLocalWorld({ dir }) });
    // Recorded as runs were before bundle ids: its run_created names no bundle.
    const run = { runId: "run_legacy" };
    const data = { workflowId: "workflow//workflows/shop.ts//shop", args: serialize([]), seed: "legacy" };
    await first.world.append(run.runId, { type: "run_created", at: Date.now(), data }, { expectedSeq: 0, wake: {} });
    await waitFor("the hook", async () => (await first.world.getHook(hashToken("shop")))?.status === "active");
    await closeRuntime(first);
    // The code changed under the waiting run: its first call is now a different step.
    const after = await compileApp({
      "workflows/shop.ts": `
        import { createHook } from "hookline";
        export async function shop() { "use workflow"; await refund(); await createHook({ token: "shop" }); return "done"; }
        async function refund() { "use step"; return 1; }
      `,
    });
    const second = await runtimeFor(after, { world: createLocalWorld({ dir }) });
    await second.resumeHook("shop", "go");
    const failure = await getRun(run.runId).returnValue.catch((e: { cause: unknown }) => e.cause);
    expect(ReplayDivergenceError.is(failure)).toBe(true);
    expect((failure as Error).message).toContain('step "step//workflows/shop.ts//charge"');
    expect((failure as Error).message).toContain('step "step//workflows/shop.ts//refund"');
    expect(await getRun(run.runId).status).toBe("failed");
  });

  test("cancel stops a waiting run: its hooks end at once and its timers never fire", async () => {
    const runtime = await runtimeFor({
      "workflows/cancel.ts": `
        import { createHook, sleep } from "hookline";
        export async function cancellable() {
          "use workflow";
          const hook = createHook({ token: "cancel-me", timeout: "1200ms" });
          await Promise.race([hook, sleep("1s")]);
          return "should not finish";
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/cancel.ts//cancellable", []);
    await waitFor("the hook", async () => (await runtime.world.getHook(hashToken("cancel-me")))?.status === "active");
    await run.cancel("customer left");
    expect(await run.status).toBe("cancelled");
    expect((await runtime.world.getHook(hashToken("cancel-me")))?.status).toBe("ended");
    await expect(run.returnValue).rejects.toSatisfy(RunCancelledError.is);
    // Past both timers (far enough out that a loaded machine cannot fire one before the cancel).
    await new Promise((r) => setTimeout(r, 1_300));
    const types = (await runtime.world.readEvents(run.runId)).map((e) => e.type);
    expect(types.at(-1)).toBe("run_cancelled");
    expect(types).not.toContain("sleep_completed");
    expect(types).not.toContain("hook_timed_out");
  });

  test("a step running when the run is cancelled finishes, but its result is ignored", async () => {
    const runtime = await runtimeFor({
      "workflows/long.ts": `
        export async function long() { "use workflow"; await work(); return "done"; }
        async function work() { "use step"; await new Promise((r) => setTimeout(r, 200)); (globalThis as any).__workDone = true; return 1; }
      `,
    });
    const run = await runtime.start("workflow//workflows/long.ts//long", []);
    await waitFor("the step to start", async () =>
      (await runtime.world.readEvents(run.runId)).some((e) => e.type === "step_started"),
    );
    await run.cancel();
    await waitFor("the step to finish", () => (globalThis as Record<string, unknown>).__workDone === true);
    await new Promise((r) => setTimeout(r, 50));
    const types = (await runtime.world.readEvents(run.runId)).map((e) => e.type);
    expect(types).toEqual(["run_created", "run_started", "step_started", "run_cancelled"]);
  });

  test("sleep is durable: a sleep that fell due while the process was down fires on start", async () => {
    const dir = await tempDir();
    const app = await compileApp({
      "workflows/nap.ts": `
        import { sleep } from "hookline";
        export async function nap() { "use workflow"; const before = Date.now(); await sleep("300ms"); return Date.now() - before; }
      `,
    });
    const first = await runtimeFor(app, { world: createLocalWorld({ dir }) });
    const run = await first.start("workflow//workflows/nap.ts//nap", []);
    await waitFor("the sleep to be recorded", async () =>
      (await first.world.readEvents(run.runId)).some((e) => e.type === "sleep_started"),
    );
    await closeRuntime(first);
    await new Promise((r) => setTimeout(r, 400));
    const second = await runtimeFor(app, { world: createLocalWorld({ dir }) });
    const slept = (await second.waitForEnd(run.runId)) as { type: string };
    expect(slept.type).toBe("run_completed");
    const value = await getRun(run.runId).returnValue;
    expect(value).toBeGreaterThanOrEqual(300);
  });

  test("wakeSleep() ends an hour's sleep now, recorded as an early sleep_completed; waking it again is a no-op; an unknown sleep is an InvalidArgumentError", async () => {
    const runtime = await runtimeFor({
      "workflows/long-nap.ts": `
        import { sleep } from "hookline";
        export async function longNap() { "use workflow"; await sleep("1h"); return "awake"; }
      `,
    });
    const run = await runtime.start("workflow//workflows/long-nap.ts//longNap", []);
    await waitFor("the sleep to be recorded", async () =>
      (await getRun(run.runId).waits()).some((w) => w.kind === "sleep"),
    );
    const [sleep] = await getRun(run.runId).waits();
    await expect(getRun(run.runId).wakeSleep("o9")).rejects.toSatisfy(
      (e) => InvalidArgumentError.is(e) && /no sleep "o9"/.test((e as Error).message),
    );
    expect(await getRun(run.runId).wakeSleep(sleep!.id)).toBe(true);
    expect(await run.returnValue).toBe("awake");
    const events = await runtime.world.readEvents(run.runId);
    const completed = events.filter((e) => e.type === "sleep_completed");
    expect(completed.map((e) => [e.corr, e.data])).toEqual([[sleep!.id, { early: true }]]);
    expect(await getRun(run.runId).wakeSleep(sleep!.id)).toBe(false);
    expect((await runtime.world.readEvents(run.runId)).length).toBe(events.length);
  });

  test("rerun() starts the same workflow with the same arguments as a new run that records rerunOf; listRuns shows the link", async () => {
    const runtime = await runtimeFor({
      "workflows/greet.ts": `
        export async function greet(name, when) { "use workflow"; return name + " @ " + when.toISOString(); }
      `,
    });
    const first = await runtime.start("workflow//workflows/greet.ts//greet", ["Ada", new Date(0)]);
    expect(await first.returnValue).toBe("Ada @ 1970-01-01T00:00:00.000Z");
    const again = await rerun(first.runId);
    expect(again.runId).not.toBe(first.runId);
    expect(await again.returnValue).toBe("Ada @ 1970-01-01T00:00:00.000Z");
    const [created] = await runtime.world.readEvents(again.runId);
    expect(created?.type === "run_created" && created.data.rerunOf).toBe(first.runId);
    expect((await getRun(again.runId).info()).rerunOf).toBe(first.runId);
    expect((await getRun(first.runId).info()).rerunOf).toBeUndefined();
    const listed = await runtime.world.listRuns({ workflowId: "workflow//workflows/greet.ts//greet" });
    expect(listed.map((r) => [r.runId, r.rerunOf])).toEqual([
      [again.runId, first.runId],
      [first.runId, undefined],
    ]);
    await expect(rerun("wrun_nope")).rejects.toSatisfy((e) => RunNotFoundError.is(e));
  });

  test("Math.random, Date and crypto.randomUUID are the same in a replay as in the first execution", async () => {
    const dir = await tempDir();
    const app = await compileApp({
      "workflows/dice.ts": `
        import { createHook } from "hookline";
        export async function dice() {
          "use workflow";
          const first = { r: Math.random(), id: crypto.randomUUID(), now: Date.now(), date: new Date().toISOString() };
          await record(first);
          await createHook({ token: "dice" });
          const again = { r: Math.random(), id: crypto.randomUUID(), now: Date.now(), date: new Date().toISOString() };
          return { first, again };
        }
        async function record(v: unknown) { "use step"; (globalThis as any).__firstSeen = v; }
      `,
    });
    const first = await runtimeFor(app, { world: createLocalWorld({ dir }) });
    const run = await first.start("workflow//workflows/dice.ts//dice", []);
    await waitFor("the hook", async () => (await first.world.getHook(hashToken("dice")))?.status === "active");
    await closeRuntime(first);
    // A new process replays the run from its log before the hook resumes it.
    const second = await runtimeFor(app, { world: createLocalWorld({ dir }) });
    await second.resumeHook("dice", null);
    const { first: replayed } = (await getRun(run.runId).returnValue) as { first: unknown };
    expect(replayed).toEqual((globalThis as Record<string, unknown>).__firstSeen);
  });

  test("a run evicted from memory is rebuilt from its log and continues", async () => {
    const runtime = await runtimeFor(
      {
        "workflows/evict.ts": `
          import { createHook } from "hookline";
          export async function evict(n: number) { "use workflow"; const a = await add(n, 1); const b = await createHook<number>({ token: "evict:" + n }); return add(a, b); }
          async function add(x: number, y: number) { "use step"; return x + y; }
        `,
      },
      { maxWarmRuns: 1 },
    );
    const runs = await Promise.all([1, 2, 3].map((n) => runtime.start("workflow//workflows/evict.ts//evict", [n])));
    for (const n of [1, 2, 3])
      await waitFor(
        `hook ${n}`,
        async () => (await runtime.world.getHook(hashToken(`evict:${n}`)))?.status === "active",
      );
    expect(runtime.warmRunCount).toBeLessThanOrEqual(1);
    for (const n of [1, 2, 3]) await runtime.resumeHook(`evict:${n}`, 10);
    expect(await Promise.all(runs.map((r) => r.returnValue))).toEqual([12, 13, 14]);
  });
});
