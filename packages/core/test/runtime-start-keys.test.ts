/**
 * start({ idempotencyKey }): one run per key, through the runtime, within one process and across
 * processes on one world, also when one of them is killed with SIGKILL mid-start. On the local
 * world, and on PostgreSQL in the "postgres" project.
 */
import { afterEach, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../src/shared/errors.js";
import type { World } from "../src/world/world.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, openWorld, prepareForChild } from "./support/child-process.js";
import { runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";
import { waitFor } from "./support/wait.js";

const ECHO = "workflow//workflows/keyed.ts//echo";
const OTHER = "workflow//workflows/keyed.ts//other";

let app: CompiledApp;
async function keyedApp(): Promise<CompiledApp> {
  app ??= await compileApp({
    "workflows/keyed.ts": `
      export async function echo(value: unknown) { "use workflow"; return value; }
      export async function other() { "use workflow"; return "other"; }
    `,
  });
  return app;
}

/** run id → its idempotency key, for every run the world holds (a few hundred at most here). */
async function keysOfRuns(world: World): Promise<Map<string, string | undefined>> {
  const keys = new Map<string, string | undefined>();
  for (const run of await world.listRuns({ limit: 10_000 })) {
    const [created] = await world.readEvents(run.runId);
    keys.set(run.runId, created?.type === "run_created" ? created.data.idempotencyKey : undefined);
  }
  return keys;
}

const children: ChildRuntime[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
});

describe("idempotent start", () => {
  test("a second start with the key returns the first run, which runs once with the first call's arguments", async () => {
    const runtime = await runtimeFor(await keyedApp());
    const first = await runtime.start(ECHO, ["first"], { idempotencyKey: "order-1" });
    const again = await runtime.start(ECHO, ["second"], { idempotencyKey: "order-1" });
    expect(again.runId).toBe(first.runId);
    expect(await again.returnValue).toBe("first");
    const unkeyed = await runtime.start(ECHO, ["third"]);
    expect(unkeyed.runId).not.toBe(first.runId);
    expect((await runtime.world.listRuns()).map((r) => r.runId).sort()).toEqual([first.runId, unkeyed.runId].sort());
  });

  test("100 concurrent starts with one key make one run, and every caller gets its id", async () => {
    const runtime = await runtimeFor(await keyedApp());
    const runs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => runtime.start(ECHO, [i], { idempotencyKey: "burst" })),
    );
    expect(new Set(runs.map((r) => r.runId)).size).toBe(1);
    expect(await runtime.world.listRuns()).toHaveLength(1);
  });

  test("after idempotencyKeyTTL the key starts a new run; before it, the old one", async () => {
    const runtime = await runtimeFor(await keyedApp());
    const first = await runtime.start(ECHO, [1], { idempotencyKey: "daily", idempotencyKeyTTL: "300ms" });
    expect((await runtime.start(ECHO, [2], { idempotencyKey: "daily", idempotencyKeyTTL: "300ms" })).runId).toBe(
      first.runId,
    );
    await new Promise((resolve) => setTimeout(resolve, 350));
    const second = await runtime.start(ECHO, [3], { idempotencyKey: "daily", idempotencyKeyTTL: 60_000 });
    expect(second.runId).not.toBe(first.runId);
    expect(await second.returnValue).toBe(3);
    expect((await runtime.start(ECHO, [4], { idempotencyKey: "daily" })).runId).toBe(second.runId);
  });

  test("a key held by another workflow's run is refused, naming both workflows and the run", async () => {
    const runtime = await runtimeFor(await keyedApp());
    const first = await runtime.start(ECHO, [1], { idempotencyKey: "shared" });
    const error = await runtime.start(OTHER, [], { idempotencyKey: "shared" }).catch((e: unknown) => e);
    expect(InvalidArgumentError.is(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(first.runId);
    expect((error as Error).message).toContain(ECHO);
    expect((error as Error).message).toContain(OTHER);
    expect(await runtime.world.listRuns()).toHaveLength(1);
  });

  test("bad idempotency options are refused before anything is recorded", async () => {
    const runtime = await runtimeFor(await keyedApp());
    const refusals: Array<[unknown, RegExp]> = [
      [{ idempotencyKey: "" }, /idempotencyKey must be a string of 1 to 512 characters, got string ""/],
      [{ idempotencyKey: "k".repeat(513) }, /idempotencyKey must be a string of 1 to 512/],
      [{ idempotencyKey: 42 }, /idempotencyKey must be a string .* got number 42/],
      [{ idempotencyKeyTTL: "1h" }, /idempotencyKeyTTL was given without an idempotencyKey/],
      [{ idempotencyKey: "k", idempotencyKeyTTL: "soon" }, /idempotencyKeyTTL/],
      [{ idempotencyKey: "k", idempotencyKeyTTL: 0 }, /idempotencyKeyTTL must be longer than 0/],
      // A misspelt or not yet supported option is an error, never silently ignored.
      [
        { idempotencykey: "k" },
        /unknown option "idempotencykey". Known options: baseUrl, idempotencyKey, idempotencyKeyTTL, concurrency/,
      ],
      [{ concurrency: 2 }, /concurrency must be an object/],
      ["fast", /the options must be an object, got string "fast"/],
    ];
    for (const [options, message] of refusals) {
      const error = await runtime.start(ECHO, [1], options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.is(error), `${JSON.stringify(options)}: ${error}`).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect(await runtime.world.listRuns()).toEqual([]);
  });

  // The kill must land while the child is still starting: enough keys that it does on a fast
  // machine, and one retry for a busy one where the kill came late.
  test("processes starting one set of keys on one world, one killed with SIGKILL mid-start, leave one run per key", {
    timeout: 120_000,
    retry: 1,
  }, async () => {
    const compiled = await keyedApp();
    await prepareForChild(compiled);
    const shared = await sharedWorld("keys");
    const keys = Array.from({ length: 1_000 }, (_, i) => `key-${i}`);
    const child = new ChildRuntime(compiled, shared);
    children.push(child);
    await child.waitForLine(/^ready$/);
    child.send({ start: ECHO, args: ["child"], keys });
    await child.waitForLine(/^keyed /);
    await child.kill();
    const killedWith = child.lines.filter((line) => line.startsWith("keyed ")).length;
    expect(killedWith, "the child finished every start before it was killed: kill it sooner").toBeLessThan(keys.length);

    const world = await openWorld(shared);
    const runtime = await runtimeFor(compiled, { world });
    const runs = await Promise.all(keys.map((idempotencyKey) => runtime.start(ECHO, ["parent"], { idempotencyKey })));
    const keyOf = await keysOfRuns(world);
    expect([...keyOf.values()].sort()).toEqual([...keys].sort());
    for (const [i, run] of runs.entries()) expect(keyOf.get(run.runId)).toBe(keys[i]);
    for (const line of child.lines.filter((l) => l.startsWith("keyed "))) {
      const [, key, runId] = line.split(" ");
      expect(keyOf.get(runId!)).toBe(key);
    }
  });

  test("two processes taking over the same expired keys at once start one new run per key", async () => {
    const compiled = await keyedApp();
    await prepareForChild(compiled);
    const shared = await sharedWorld("takeover");
    const keys = Array.from({ length: 50 }, (_, i) => `expired-${i}`);
    const world = await openWorld(shared);
    const runtime = await runtimeFor(compiled, { world });
    const expired = await Promise.all(
      keys.map((idempotencyKey) => runtime.start(ECHO, ["old"], { idempotencyKey, idempotencyKeyTTL: 1 })),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));

    const pair = [new ChildRuntime(compiled, shared), new ChildRuntime(compiled, shared)];
    children.push(...pair);
    await Promise.all(pair.map((child) => child.waitForLine(/^ready$/)));
    for (const child of pair) child.send({ start: ECHO, args: ["new"], keys });
    const answers = await Promise.all(
      pair.map(async (child) => {
        await waitFor(
          "every keyed start to return",
          () => child.lines.filter((line) => line.startsWith("keyed ")).length === keys.length,
          30_000,
        );
        return new Map(
          child.lines
            .filter((line) => line.startsWith("keyed "))
            .map((line) => [line.split(" ")[1]!, line.split(" ")[2]!]),
        );
      }),
    );
    const keyOf = await keysOfRuns(world);
    for (const [i, key] of keys.entries()) {
      const runs = [...keyOf].filter(([, k]) => k === key).map(([runId]) => runId);
      expect(runs.sort(), key).toEqual([expired[i]!.runId, answers[0]!.get(key)!].sort());
      expect(answers[1]!.get(key), key).toBe(answers[0]!.get(key));
    }
  }, 60_000);
});
