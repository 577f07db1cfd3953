/**
 * Child workflows: `start(child, args)` from "hookline/api" inside a workflow starts the child
 * once (also across replays, a failed record and a SIGKILL mid-start), `await run.returnValue`
 * resumes the parent when the child ends (its value, or its error as Run.returnValue throws it
 * outside), cancelling a parent cancels its attached children, and info() names the parent. On
 * the local world, and on PostgreSQL in the "postgres" project.
 */
import { afterEach, describe, expect, test } from "vitest";
import * as serverApi from "../src/api.js";
import { getRun } from "../src/api.js";
import type { WorkflowEvent } from "../src/world/events.js";
import type { World } from "../src/world/world.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, openWorld, prepareForChild } from "./support/child-process.js";
import { runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";
import { waitFor } from "./support/wait.js";

const FILE = "workflow//workflows/family.ts//";

let app: CompiledApp;
async function familyApp(): Promise<CompiledApp> {
  app ??= await compileApp({
    "workflows/family.ts": `
      import { createHook } from "hookline";
      import * as api from "hookline/api";
      import { getRun, listRuns, start } from "hookline/api";
      export async function child(value: number) { "use workflow"; return await double(value); }
      async function double(value: number) { "use step"; return value * 2; }
      export async function parent(value: number) {
        "use workflow";
        const run = await start(child, [value]);
        const same = getRun(run.runId) === run;
        return { childRunId: run.runId, result: await run.returnValue, same, workflowId: await run.workflowId };
      }
      export async function many(count: number) {
        "use workflow";
        const runs = [];
        for (let i = 0; i < count; i++) runs.push(await start(child, [i]));
        let sum = 0;
        for (const run of runs) sum += (await run.returnValue) as number;
        return sum;
      }
      export async function failing(message: string) { "use workflow"; throw new TypeError(message); }
      export async function parentOfFailing() {
        "use workflow";
        const run = await start(failing, ["boom"]);
        try {
          await run.returnValue;
          return "no error";
        } catch (error) {
          const e = error as { name: string; runId: string; cause?: { name: string; message: string } };
          return { name: e.name, sameRun: e.runId === run.runId, cause: e.cause?.name + ": " + e.cause?.message };
        }
      }
      export async function waiting(token: string) { "use workflow"; return await createHook<string>({ token }); }
      export async function parentOfWaiting(label: string) {
        "use workflow";
        const attached = await start(waiting, [label + ":attached"]);
        const detached = await start(waiting, [label + ":detached"], { detached: true });
        await announce(attached.runId, detached.runId);
        return [await attached.returnValue, await detached.returnValue];
      }
      async function announce(attached: string, detached: string) { "use step"; console.log("children " + attached + " " + detached); }
      export async function awaitsCancelled(label: string) {
        "use workflow";
        const run = await start(waiting, [label]);
        try { await run.returnValue; return "no error"; } catch (error) { return (error as Error).name + ": " + (error as Error).message; }
      }
      export async function serverOnly() {
        "use workflow";
        const run = await start(child, [1]);
        const errors: string[] = [];
        for (const attempt of [() => run.status, () => run.cancel(), () => listRuns()]) {
          try { attempt(); } catch (error) { errors.push((error as Error).name + ": " + (error as Error).message); }
        }
        await getRun("wrun_other").returnValue.catch((error: Error) => errors.push(error.message));
        return { errors, names: Object.keys(api).sort(), value: await run.returnValue };
      }
      export async function badOptions(option: string) {
        "use workflow";
        try { await start(child, [1], { [option]: "x" } as never); return "started"; } catch (error) { return (error as Error).message; }
      }
    `,
  });
  return app;
}

async function getStatus(world: World, runId: string): Promise<string | undefined> {
  return (await world.getRun(runId))?.status;
}

/** The runs `parentRunId` started, from the world's runs. */
async function childrenOf(world: World, parentRunId: string): Promise<string[]> {
  const runs = await world.listRuns({ limit: 1000 });
  return runs.filter((run) => run.parentRunId === parentRunId).map((run) => run.runId);
}

const typesOf = (events: WorkflowEvent[]) => events.map((event) => event.type);

const processes: ChildRuntime[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

describe("child workflows", () => {
  test("start(child) in a workflow returns the child's Run; await run.returnValue resumes the parent with its value", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}parent`, [21]);
    const value = (await run.returnValue) as { childRunId: string; result: number; same: boolean; workflowId: string };
    expect(value).toMatchObject({ result: 42, same: true, workflowId: `${FILE}child` });
    expect(await childrenOf(runtime.world, run.runId)).toEqual([value.childRunId]);
    const events = await run.events();
    expect(typesOf(events)).toEqual(["run_created", "run_started", "child_started", "child_ended", "run_completed"]);
    expect(events[2]).toMatchObject({ corr: "o1", data: { workflowId: `${FILE}child`, childRunId: value.childRunId } });
    expect(await getRun(value.childRunId).returnValue).toBe(42);
  });

  test("getRun(child).info() names the parent run; a run started from a route has none", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}parent`, [1]);
    const { childRunId } = (await run.returnValue) as { childRunId: string };
    expect((await getRun(childRunId).info()).parentRunId).toBe(run.runId);
    expect((await run.info()).parentRunId).toBeUndefined();
  });

  test("a replay returns the same children and never starts another (every drive replays from the log)", async () => {
    const runtime = await runtimeFor(await familyApp(), { maxWarmRuns: 0 });
    const run = await runtime.start(`${FILE}many`, [5]);
    expect(await run.returnValue).toBe(2 * (0 + 1 + 2 + 3 + 4));
    const children = await childrenOf(runtime.world, run.runId);
    expect(children).toHaveLength(5);
    const started = (await run.events()).filter((e) => e.type === "child_started");
    expect(started.map((e) => e.corr)).toEqual(["o1", "o2", "o3", "o4", "o5"]);
    expect(new Set(started.map((e) => (e.type === "child_started" ? e.data.childRunId : "")))).toEqual(
      new Set(children),
    );
  });

  test("a child created but not recorded (the parent's append failed) is found again, not started twice", async () => {
    const compiled = await familyApp();
    let failures = 0;
    const runtime = await runtimeFor(compiled, { onError: () => {} });
    const append = runtime.world.append.bind(runtime.world);
    runtime.world.append = async (runId, event, options) => {
      if (event.type === "child_started" && failures === 0) {
        failures += 1;
        throw new Error("simulated crash between creating the child and recording it");
      }
      return append(runId, event, options);
    };
    const run = await runtime.start(`${FILE}parent`, [4]);
    expect(((await run.returnValue) as { result: number }).result).toBe(8);
    expect(failures).toBe(1);
    expect(await childrenOf(runtime.world, run.runId)).toHaveLength(1);
  });

  test("a child whose end could not wake its parent (the process died there) wakes it when its drive is delivered again", async () => {
    const runtime = await runtimeFor(await familyApp(), { onError: () => {} });
    const enqueue = runtime.world.queue.enqueue.bind(runtime.world.queue);
    const wakes: string[] = [];
    runtime.world.queue.enqueue = async (message, options) => {
      if (options?.key === `drive:${message.runId}`) {
        wakes.push(message.runId);
        if (wakes.length === 1) throw new Error("simulated crash between the child's end and waking its parent");
      }
      return enqueue(message, options);
    };
    const run = await runtime.start(`${FILE}parent`, [5]);
    expect(((await run.returnValue) as { result: number }).result).toBe(10);
    expect(wakes.slice(0, 2)).toEqual([run.runId, run.runId]);
  });

  test("a failed child makes the await throw WorkflowRunFailedError with the child's error as cause", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}parentOfFailing`, []);
    expect(await run.returnValue).toEqual({ name: "WorkflowRunFailedError", sameRun: true, cause: "TypeError: boom" });
  });

  test("a child cancelled from outside makes the await throw WorkflowRunCancelledError", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}awaitsCancelled`, ["outside"]);
    const childRunId = await waitFor("the child", async () => (await childrenOf(runtime.world, run.runId))[0]);
    await waitFor("the child's hook", async () => (await runtime.world.listHooks({ runId: childRunId })).length > 0);
    await getRun(childRunId).cancel("not needed");
    expect(await run.returnValue).toBe(`WorkflowRunCancelledError: Run ${childRunId} was cancelled: not needed`);
  });

  test("cancelling a parent cancels its attached children, not those started with detached: true", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}parentOfWaiting`, ["cascade"]);
    const started = await waitFor("both children", async () => {
      const events = await run.events();
      return events.filter((e) => e.type === "child_started").length === 2 ? events : undefined;
    });
    const [attached, detached] = started
      .filter((e) => e.type === "child_started")
      .map((e) => (e.type === "child_started" ? e.data.childRunId : ""));
    await waitFor(
      "the children's hooks",
      async () => (await runtime.world.listHooks({ status: "active" })).length === 2,
    );
    await run.cancel("order withdrawn");
    await waitFor("the attached child cancelled", async () => (await getRun(attached!).status) === "cancelled");
    const end = (await getRun(attached!).events()).at(-1);
    expect(end).toMatchObject({ type: "run_cancelled", data: { reason: `its parent run ${run.runId} was cancelled` } });
    // The cascade cancels every attached child at once: the detached one was left running.
    expect(await getRun(detached!).status).toBe("running");
    await runtime.resumeHook("cascade:detached", "still here");
    expect(await getRun(detached!).returnValue).toBe("still here");
  });

  test("start() in a workflow refuses options it does not take, by name", async () => {
    const runtime = await runtimeFor(await familyApp());
    expect(await (await runtime.start(`${FILE}badOptions`, ["idempotencyKey"])).returnValue).toMatch(
      /option "idempotencyKey" is not taken inside a workflow: a child run is started exactly once .* Known options in a workflow: detached/,
    );
    expect(await (await runtime.start(`${FILE}badOptions`, ["detach"])).returnValue).toMatch(
      /unknown option "detach". Known options in a workflow: detached/,
    );
    expect(await (await runtime.start(`${FILE}badOptions`, ["detached"])).returnValue).toMatch(
      /detached must be true or false, got string "x"/,
    );
    // Server code has no parent: detached there is a mistake, said so.
    const error = await serverApi.start(`${FILE}child`, [1], { detached: true }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /option "detached" is for a child run, started by start\(\) inside a workflow/,
    );
    expect(await runtime.world.listRuns()).toHaveLength(3);
  });

  test("a process killed with SIGKILL while its workflow starts children leaves one child per start() call; another process finishes the parent", async () => {
    const compiled = await familyApp();
    await prepareForChild(compiled);
    const shared = await sharedWorld("children");
    const world = await openWorld(shared);
    await world.start();
    const first = new ChildRuntime(compiled, shared);
    processes.push(first);
    await first.waitForLine(/^ready$/);
    first.send({ start: `${FILE}many`, args: [20] });
    const parentRunId = (await first.waitForLine(/^started /)).split(" ")[1]!;
    await waitFor("a few children", async () => (await childrenOf(world, parentRunId)).length >= 3, 20_000);
    await first.kill();
    expect(await getStatus(world, parentRunId), "the parent finished before the kill: kill it sooner").not.toBe(
      "completed",
    );

    const second = new ChildRuntime(compiled, shared);
    processes.push(second);
    await second.waitForLine(/^ready$/);
    second.send({ await: parentRunId });
    const ended = await second.waitForLine(new RegExp(`^ended ${parentRunId} `), 60_000);
    expect(ended.split(" ")[2]).toBe(String(2 * ((19 * 20) / 2)));
    const children = await childrenOf(world, parentRunId);
    expect(children).toHaveLength(20);
    const started = (await world.readEvents(parentRunId)).filter((e) => e.type === "child_started");
    expect(started.map((e) => e.corr)).toEqual(Array.from({ length: 20 }, (_, i) => `o${i + 1}`));
    expect(new Set(started.map((e) => (e.type === "child_started" ? e.data.childRunId : "")))).toEqual(
      new Set(children),
    );
    await world.close();
  }, 90_000);

  test("the workflow's hookline/api has every name the server's has; server-only parts throw, pointing at a step", async () => {
    const runtime = await runtimeFor(await familyApp());
    const run = await runtime.start(`${FILE}serverOnly`, []);
    const { errors, names, value } = (await run.returnValue) as { errors: string[]; names: string[]; value: number };
    expect(value).toBe(2);
    expect(names).toEqual(Object.keys(serverApi).sort());
    expect(errors).toEqual([
      expect.stringMatching(/^ContextError: run.status reads a run as it is now, .* "use step" function/),
      expect.stringMatching(/^ContextError: run.cancel reads a run as it is now/),
      expect.stringMatching(/^ContextError: listRuns\(\) from "hookline\/api" is server code, .* "use step" function/),
      expect.stringMatching(/getRun\("wrun_other"\).returnValue: a workflow can await only the runs it started itself/),
    ]);
  });
});
