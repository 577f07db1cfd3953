/**
 * start({ concurrency: { key, limit } }) through the runtime: at most `limit` runs sharing a key
 * execute steps at once (counted in the steps themselves and from the step timestamps in the
 * logs), waiting runs go in the order they asked, sleeping and hook-waiting runs hold no slot,
 * bad options are refused. On the local world, and on PostgreSQL in the "postgres" project.
 */
import { afterEach, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../src/shared/errors.js";
import type { World } from "../src/world/world.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, openWorld, prepareForChild } from "./support/child-process.js";
import { maxOverlap, stepIntervals } from "./support/overlaps.js";
import { runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";
import { waitFor } from "./support/wait.js";

const LIMITED = "workflow//workflows/limited.ts//limited";
const PARKED = "workflow//workflows/limited.ts//parked";
const SLEEPER = "workflow//workflows/limited.ts//sleeper";
const PACED = "workflow//workflows/limited.ts//paced";

let app: CompiledApp;
async function limitedApp(): Promise<CompiledApp> {
  app ??= await compileApp({
    "workflows/limited.ts": `
      import { createHook, getWorkflowMetadata, sleep } from "hookline";
      const state = (globalThis.__limited ??= { active: new Map(), max: new Map(), gates: new Map() });
      async function work(key: string, name: string) {
        "use step";
        state.active.set(key, (state.active.get(key) ?? 0) + 1);
        state.max.set(key, Math.max(state.max.get(key) ?? 0, state.active.get(key)));
        const gate = state.gates.get(name);
        await (gate ?? new Promise((resolve) => setTimeout(resolve, 15)));
        state.active.set(key, state.active.get(key) - 1);
        return name;
      }
      export async function limited(key: string, name: string) {
        "use workflow";
        await work(key, name + ":1");
        return work(key, name + ":2");
      }
      export async function parked(key: string) {
        "use workflow";
        await work(key, "parked:1");
        const next = await createHook<string>({ token: "parked:" + key });
        return work(key, next);
      }
      async function pace(runId: string, n: number) {
        "use step";
        console.log("begin " + runId + " " + n);
        if (process.env.HOOKLINE_TEST_HANG_FIRST_STEP && !globalThis.__hung) {
          // This process's first step never ends: it holds its slot until the process is killed.
          globalThis.__hung = true;
          console.log("hang " + runId);
          await new Promise(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 40));
        console.log("end " + runId + " " + n);
      }
      export async function paced() {
        "use workflow";
        const { runId } = getWorkflowMetadata();
        await pace(runId, 1);
        await pace(runId, 2);
        return runId;
      }
      export async function sleeper(key: string) {
        "use workflow";
        await work(key, "sleeper:1");
        await sleep("1h");
        return "woke";
      }
    `,
  });
  return app;
}

interface LimitedState {
  active: Map<string, number>;
  max: Map<string, number>;
  gates: Map<string, Promise<void>>;
}
const state = (): LimitedState => (globalThis as { __limited?: LimitedState }).__limited!;

/** A promise the step named `name` waits on, and the function that opens it. */
function gate(name: string): () => void {
  let open!: () => void;
  state().gates.set(name, new Promise<void>((resolve) => (open = resolve)));
  return open;
}

async function firstStepAt(world: World, runId: string): Promise<number> {
  const started = (await world.readEvents(runId)).find((e) => e.type === "step_started");
  return started?.at ?? Number.POSITIVE_INFINITY;
}

const children: ChildRuntime[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
});

describe("concurrency limits", () => {
  test("12 runs on one key with limit 2: never more than 2 execute steps at once, and all finish", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        runtime.start(LIMITED, ["k12", `r${i}`], { concurrency: { key: "k12", limit: 2 } }),
      ),
    );
    expect(await Promise.all(runs.map((run) => run.returnValue))).toEqual(runs.map((_, i) => `r${i}:2`));
    expect(state().max.get("k12")).toBe(2);
    const intervals = await stepIntervals(
      runtime.world,
      runs.map((r) => r.runId),
    );
    expect(maxOverlap(intervals)).toBe(2);
    // Other keys are not held back by this one.
    const other = await runtime.start(LIMITED, ["other", "o"], { concurrency: { key: "other", limit: 1 } });
    expect(await other.returnValue).toBe("o:2");
  });

  test("the option is recorded with the run; a run without it is not limited", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const run = await runtime.start(LIMITED, ["rec", "a"], { concurrency: { key: "rec", limit: 3 } });
    await run.returnValue;
    const [created] = await runtime.world.readEvents(run.runId);
    expect(created?.type === "run_created" && created.data.concurrency).toEqual({ key: "rec", limit: 3 });
    const opens = Array.from({ length: 4 }, (_, i) => gate(`f${i}:1`));
    const free = await Promise.all(Array.from({ length: 4 }, (_, i) => runtime.start(LIMITED, ["free", `f${i}`])));
    await waitFor("the 4 unlimited runs to be in their first step together", () => state().active.get("free") === 4);
    for (const open of opens) open();
    await Promise.all(free.map((r) => r.returnValue));
  });

  test("waiting runs get the slot in the order they asked", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const open = gate("first:1");
    const first = await runtime.start(LIMITED, ["fifo", "first"], { concurrency: { key: "fifo", limit: 1 } });
    await waitFor(
      "the first run to hold the slot",
      async () => (await runtime.world.slots.inspect("fifo")).holders.length === 1,
    );
    const later = [];
    for (const name of ["b", "c", "d", "e"]) {
      const run = await runtime.start(LIMITED, ["fifo", name], { concurrency: { key: "fifo", limit: 1 } });
      later.push(run);
      await waitFor(`run ${name} to be in line`, async () =>
        (await runtime.world.slots.inspect("fifo")).waiters.some((w) => w.runId === run.runId),
      );
    }
    expect((await runtime.world.slots.inspect("fifo")).waiters.map((w) => w.runId)).toEqual(later.map((r) => r.runId));
    open();
    await Promise.all([first, ...later].map((run) => run.returnValue));
    const starts = await Promise.all([first, ...later].map((run) => firstStepAt(runtime.world, run.runId)));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(
      maxOverlap(
        await stepIntervals(
          runtime.world,
          [first, ...later].map((r) => r.runId),
        ),
      ),
    ).toBe(1);
    // Each run gives its slot back just after its end is recorded.
    await waitFor(
      "every slot given back",
      async () => (await runtime.world.slots.inspect("fifo")).holders.length === 0,
    );
    expect(await runtime.world.slots.inspect("fifo")).toEqual({ holders: [], waiters: [] });
  });

  test("a run waiting on a hook or sleeping holds no slot", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const options = { concurrency: { key: "idle", limit: 1 } };
    const parked = await runtime.start(PARKED, ["idle"], options);
    await waitFor(
      "the hook",
      async () => (await runtime.world.listHooks({ runId: parked.runId, status: "active" })).length === 1,
    );
    const sleeper = await runtime.start(SLEEPER, ["idle"], options);
    await waitFor("the sleep", async () =>
      (await runtime.world.readEvents(sleeper.runId)).some((e) => e.type === "sleep_started"),
    );
    // Both wait, holding nothing: a third run with the same key runs to its end.
    const third = await runtime.start(LIMITED, ["idle", "third"], options);
    expect(await third.returnValue).toBe("third:2");
    await runtime.resumeHook("parked:idle", "after");
    expect(await parked.returnValue).toBe("after");
    await sleeper.cancel();
    await waitFor("no holder or waiter left", async () => {
      const slots = await runtime.world.slots.inspect("idle");
      return slots.holders.length === 0 && slots.waiters.length === 0;
    });
    expect(maxOverlap(await stepIntervals(runtime.world, [parked.runId, sleeper.runId, third.runId]))).toBe(1);
  });

  test("a cancelled run leaves the line and its place goes to the next", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const options = { concurrency: { key: "cancel", limit: 1 } };
    const open = gate("holder:1");
    const holder = await runtime.start(LIMITED, ["cancel", "holder"], options);
    await waitFor("the holder", async () => (await runtime.world.slots.inspect("cancel")).holders.length === 1);
    const waiting = await runtime.start(LIMITED, ["cancel", "waiting"], options);
    await waitFor("the waiter", async () => (await runtime.world.slots.inspect("cancel")).waiters.length === 1);
    const next = await runtime.start(LIMITED, ["cancel", "next"], options);
    await waitFor("the second waiter", async () => (await runtime.world.slots.inspect("cancel")).waiters.length === 2);
    await waiting.cancel();
    open();
    expect(await holder.returnValue).toBe("holder:2");
    expect(await next.returnValue).toBe("next:2");
    await expect(waiting.returnValue).rejects.toThrow();
    await waitFor(
      "every slot given back",
      async () => (await runtime.world.slots.inspect("cancel")).holders.length === 0,
    );
    expect(await runtime.world.slots.inspect("cancel")).toEqual({ holders: [], waiters: [] });
  });

  test("bad concurrency options are refused, naming the field, before anything is recorded", async () => {
    const runtime = await runtimeFor(await limitedApp());
    const refusals: Array<[unknown, RegExp]> = [
      [
        { concurrency: { key: "", limit: 2 } },
        /concurrency.key must be a string of 1 to 512 characters, got string ""/,
      ],
      [{ concurrency: { key: 7, limit: 2 } }, /concurrency.key must be a string .* got number 7/],
      [{ concurrency: { limit: 2 } }, /concurrency.key must be a string .* got none/],
      [{ concurrency: { key: "k", limit: 0 } }, /concurrency.limit must be a whole number ≥ 1, got number 0/],
      [{ concurrency: { key: "k", limit: 1.5 } }, /concurrency.limit must be a whole number ≥ 1, got number 1.5/],
      [{ concurrency: { key: "k", limit: "2" } }, /concurrency.limit must be a whole number ≥ 1, got string "2"/],
      [{ concurrency: { key: "k" } }, /concurrency.limit must be a whole number ≥ 1, got none/],
      [{ concurrency: { key: "k", limit: 2, max: 3 } }, /unknown field "concurrency.max". Known fields: key, limit/],
      [{ concurrency: "k" }, /concurrency must be an object \{ key, limit \}/],
      [{ concurrency: null }, /concurrency must be an object \{ key, limit \}/],
      [{ concurency: { key: "k", limit: 2 } }, /unknown option "concurency". Known options: .*concurrency/],
    ];
    for (const [options, message] of refusals) {
      const error = await runtime.start(LIMITED, ["k", "x"], options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.is(error), `${JSON.stringify(options)}: ${error}`).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect(await runtime.world.listRuns()).toEqual([]);
  });

  // Two processes and a SIGKILL on a machine that may be running other suites: one retry for
  // timing (a real overlap or a lost run fails both attempts).
  test("two processes, 50 runs on one key with limit 2, one process killed with SIGKILL mid-step: never more than 2 at once, all finish, in the order they asked", {
    timeout: 180_000,
    retry: 1,
  }, async () => {
    const compiled = await limitedApp();
    await prepareForChild(compiled);
    const spec = await sharedWorld("slots");
    // Short leases, so the killed process's slot and queue messages come back within the test (long
    // enough that a busy machine does not delay a renewal past one).
    const shared = "dir" in spec ? { ...spec, leaseMs: 3_000 } : { postgres: { ...spec.postgres, leaseMs: 3_000 } };
    const pair = [
      new ChildRuntime(compiled, shared),
      new ChildRuntime(compiled, shared, { HOOKLINE_TEST_HANG_FIRST_STEP: "1" }),
    ] as const;
    children.push(...pair);
    await Promise.all(pair.map((child) => child.waitForLine(/^ready$/)));
    // The second process starts first: its first step hangs (holding a slot) until it is killed.
    for (const child of [pair[1], pair[0]]) {
      child.send({ start: PACED, args: [], count: 25, options: { concurrency: { key: "fifty", limit: 2 } } });
      await child.waitForLine(/^started 25 runs$/);
    }
    // A busy machine (CI runs every suite) may take a while to reach the first step.
    const hung = (await pair[1].waitForLine(/^hang /, 60_000)).split(" ")[1]!;
    const world = await openWorld(shared);
    await world.start();
    try {
      const line = await waitFor(
        "most runs to be in line",
        async () => {
          const slots = await world.slots.inspect("fifty");
          return slots.waiters.length >= 40 && slots.waiters.map((w) => w.runId);
        },
        30_000,
      );
      // The line as it shrinks, watched until every run ended: a run leaves it only after every run ahead of it.
      const views: string[][] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          views.push((await world.slots.inspect("fifty")).waiters.map((w) => w.runId));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      // The first process goes on with the other slot.
      await waitFor(
        "a few runs to end meanwhile",
        async () => (await world.listRuns({ status: "completed", limit: 100 })).length >= 5,
        30_000,
      );
      await pair[1].kill();
      const killedAt = Date.now();

      const runIds = await waitFor(
        "all 50 runs to complete",
        async () => {
          const done = await world.listRuns({ status: "completed", limit: 100 });
          return done.length === 50 && done.map((r) => r.runId);
        },
        60_000,
      );
      watching = false;
      await watcher;
      const intervals = await stepIntervals(world, runIds, killedAt);
      expect(maxOverlap(intervals)).toBe(2);
      // The step cut off by the kill ran again after it, once its slot came back.
      expect(intervals.filter((i) => i.runId === hung && i.start >= killedAt)).toHaveLength(2);
      // Runs left the line in the order they asked: whenever the line was looked at, those still in it
      // were its tail. (Runs the killed process had begun go back in line at their old place: aside.)
      const touched = new Set(pair[1].lines.filter((l) => l.startsWith("begin ")).map((l) => l.split(" ")[1]));
      const order = line.filter((runId) => !touched.has(runId));
      const inLine = new Set(order);
      expect(views.length).toBeGreaterThan(10);
      for (const view of views) {
        const waiting = view.filter((runId) => inLine.has(runId));
        expect(waiting).toEqual(order.slice(order.length - waiting.length));
      }
      await waitFor(
        "every slot given back",
        async () => (await world.slots.inspect("fifty")).holders.length === 0,
        10_000,
      );
    } finally {
      await world.close();
    }
  });
});
