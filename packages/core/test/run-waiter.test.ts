/**
 * Run.returnValue resolves from the run's end event and leaves nothing behind: no waiter for an
 * ended run, no timer keeping a process alive after close(), no polling. On the local world, and
 * on PostgreSQL in the "postgres" project.
 */
import { expect, test } from "vitest";
import { getRun } from "../src/api.js";
import { compileApp } from "./support/app.js";
import { ChildRuntime, prepareForChild } from "./support/child-process.js";
import { runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";

const QUICK = "workflow//workflows/quick.ts//quick";
const source = {
  "workflows/quick.ts": `
    import { createHook } from "hookline";
    export async function quick(n: number) { "use workflow"; return n * 2; }
    export async function waits(token: string) { "use workflow"; return await createHook({ token }); }
  `,
};

test("returnValue of a run that ended before this process started resolves from its end event; after close() nothing holds the process", async () => {
  const app = await compileApp(source);
  await prepareForChild(app);
  const world = await sharedWorld("waiter");

  const first = new ChildRuntime(app, world);
  await first.waitForLine(/^ready$/);
  first.send({ start: QUICK, args: [21] });
  const runId = (await first.waitForLine(/^started /)).split(" ")[1]!;
  first.send({ await: runId });
  expect(await first.waitForLine(/^ended /)).toBe(`ended ${runId} 42 0`);
  first.send({ close: true });
  await first.exited;

  // A new process: the run is in the world, not in memory.
  const second = new ChildRuntime(app, world);
  await second.waitForLine(/^ready$/);
  second.send({ await: runId });
  expect(await second.waitForLine(/^ended /)).toBe(`ended ${runId} 42 0`);
  second.send({ linger: true });
  const resources = JSON.parse((await second.waitForLine(/^resources /)).slice("resources ".length)) as string[];
  expect(resources.filter((resource) => resource === "Timeout")).toEqual([]);
  expect(await second.exited).toBe(0);
  // Two processes start one after the other, each compiling its TypeScript: a busy machine needs room.
}, 90_000);

test("a waiter lives exactly as long as its run: it settles from the end event, and close() ends those still waiting", async () => {
  const runtime = await runtimeFor(source);
  const waiting = await runtime.start("workflow//workflows/quick.ts//waits", ["waiter-token"]);
  const outcome = getRun(waiting.runId).returnValue;
  const other = getRun(
    (await runtime.start("workflow//workflows/quick.ts//waits", ["waiter-other"])).runId,
  ).returnValue.catch((e: unknown) => e);
  await expect.poll(() => runtime.pendingWaits).toBe(2);
  await expect.poll(async () => (await runtime.world.listHooks({ status: "active" })).length).toBe(2);
  await runtime.resumeHook("waiter-token", "done");
  await expect(outcome).resolves.toBe("done");
  expect(runtime.pendingWaits).toBe(1);
  await runtime.close();
  expect(runtime.pendingWaits).toBe(0);
  expect(await other).toMatchObject({ name: "WorldError", message: expect.stringMatching(/closed while waiting/) });
});
