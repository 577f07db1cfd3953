/**
 * Deploying changed code while runs are in flight (docs/deploys.md): a run replays with the bundle
 * that started it, steps run the current build's code, patched() and upgradeRun() move runs on
 * purpose, replayLog() tells before a deploy. Each "restart" is a new runtime on the same world
 * with the other build's bundle and only that build's steps.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { getRun, replayLog, upgradeRun } from "../src/api.js";
import { ReplayDivergenceError, StepNotRegisteredError } from "../src/shared/errors.js";
import { deserialize } from "../src/shared/serialization/index.js";
import { bundleIdOf } from "../src/world/bundles.js";
import { BUILD_A, BUILD_B, build, WF } from "./support/builds.js";
import { closeRuntime, runtimeFor } from "./support/runtimes.js";

const tempDir = () => mkdtemp(join(tmpdir(), "hookline-versions-"));

describe("versions", () => {
  test("a run keeps the workflow code it started with across a restart on a new build; steps run the new build's code; new runs use the new build", async () => {
    const dir = await tempDir();
    const a = await build(BUILD_A);
    const first = await runtimeFor(a, { world: createLocalWorld({ dir }), steps: a.steps });
    const old = await first.start(WF, ["o1"]);
    await expect.poll(async () => (await first.world.listHooks({ status: "active" })).length).toBe(1);
    await closeRuntime(first);

    const b = await build(BUILD_B);
    const second = await runtimeFor(b, { world: createLocalWorld({ dir }), steps: b.steps });
    await second.resumeHook("approve:o1", "yes");
    await expect(getRun(old.runId).returnValue).resolves.toEqual({
      build: "A",
      charged: "A-charge o1",
      approval: "yes",
      shipped: "B-ship o1",
    });
    const created = (await second.world.readEvents(old.runId))[0]!;
    expect(created.type === "run_created" && created.data.bundleId).toBe(bundleIdOf(a.bundle.code));

    const fresh = await second.start(WF, ["n1"]);
    await expect
      .poll(async () => (await second.world.listHooks({ runId: fresh.runId, status: "active" })).length)
      .toBe(1);
    await second.resumeHook("approve:n1", "ok");
    await expect(getRun(fresh.runId).returnValue).resolves.toEqual({
      build: "B",
      approval: "ok",
      shipped: "B-ship n1",
      charged: "B-charge n1",
    });
  });

  test("a run that reaches a step the new build removed fails with StepNotRegisteredError naming the step and both builds", async () => {
    const dir = await tempDir();
    const a = await build(BUILD_A);
    const first = await runtimeFor(a, { world: createLocalWorld({ dir }), steps: a.steps });
    const old = await first.start(WF, ["o2"]);
    await expect.poll(async () => (await first.world.listHooks({ status: "active" })).length).toBe(1);
    await closeRuntime(first);

    const b = await build(BUILD_B.replace(/await ship\(id\)/, '"none"').replace(/async function ship[^\n]*\n/, ""));
    const second = await runtimeFor(b, { world: createLocalWorld({ dir }), steps: b.steps });
    await second.resumeHook("approve:o2", "yes");
    const error = await getRun(old.runId).returnValue.catch((e: { cause: unknown }) => e.cause);
    expect(StepNotRegisteredError.is(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('"step//workflows/deploy.ts//ship"');
    expect(message).toContain(bundleIdOf(a.bundle.code).slice(0, 12));
    expect(message).toContain(bundleIdOf(b.bundle.code).slice(0, 12));
  });

  test("bundles are stored in the world and removed once no unfinished run needs them; the current one stays", async () => {
    const dir = await tempDir();
    const a = await build(BUILD_A);
    const first = await runtimeFor(a, { world: createLocalWorld({ dir }), steps: a.steps });
    const old = await first.start(WF, ["o3"]);
    await expect.poll(async () => (await first.world.listHooks({ status: "active" })).length).toBe(1);
    const idA = bundleIdOf(a.bundle.code);
    expect((await first.world.bundles.get(idA))?.code).toBe(a.bundle.code);
    await closeRuntime(first);

    const b = await build(BUILD_B);
    const idB = bundleIdOf(b.bundle.code);
    const second = await runtimeFor(b, { world: createLocalWorld({ dir }), steps: b.steps, bundleGraceMs: 0 });
    await second.start(WF, ["n3"]);
    // The run of A is waiting: A's bundle stays.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await second.world.bundles.list()).map((x) => x.id).sort()).toEqual([idA, idB].sort());
    await second.resumeHook("approve:o3", "yes");
    await getRun(old.runId).returnValue;
    await closeRuntime(second);

    const third = await runtimeFor(b, { world: createLocalWorld({ dir }), steps: b.steps, bundleGraceMs: 0 });
    await expect.poll(async () => (await third.world.bundles.list()).map((x) => x.id)).toEqual([idB]);
  });

  test("replayLog() names the run that would diverge on a build, with both calls; a clean log passes", async () => {
    const a = await build(BUILD_A);
    const runtime = await runtimeFor(a, { steps: a.steps });
    const run = await runtime.start(WF, ["o4"]);
    await expect.poll(async () => (await runtime.world.listHooks({ status: "active" })).length).toBe(1);
    const log = await runtime.world.readEvents(run.runId);
    expect(await replayLog(log, { bundle: a.bundle })).toMatchObject({ runId: run.runId, ok: true });
    const b = await build(BUILD_B);
    const report = await replayLog({ events: log }, { bundle: b.bundle });
    expect(report).toMatchObject({
      runId: run.runId,
      workflowId: WF,
      ok: false,
      divergence: { recorded: 'step "step//workflows/deploy.ts//charge"', actual: "createHook()" },
    });
    expect(report.message).toContain("diverged");
  });

  test("patched() and upgradeRun(): a run moves to the new build only when its log replays there; patched() answers by what the log recorded", async () => {
    const dir = await tempDir();
    const a = await build(BUILD_A);
    const first = await runtimeFor(a, { world: createLocalWorld({ dir }), steps: a.steps });
    const old = await first.start(WF, ["o5"]);
    await expect.poll(async () => (await first.world.listHooks({ status: "active" })).length).toBe(1);
    await closeRuntime(first);

    // Unguarded, the change cannot replay the run: the move is refused and the run stays on A.
    const unguarded = await build(BUILD_B);
    const refuser = await runtimeFor(unguarded, { world: createLocalWorld({ dir }), steps: unguarded.steps });
    const refused = await upgradeRun(old.runId).catch((e: unknown) => e);
    expect(ReplayDivergenceError.is(refused)).toBe(true);
    expect((refused as ReplayDivergenceError).recorded).toBe('step "step//workflows/deploy.ts//charge"');
    expect((refused as ReplayDivergenceError).actual).toBe("createHook()");
    await closeRuntime(refuser);

    // Guarded with patched(): runs past the change keep the old path, new ones take the new.
    const guarded = await build(`
      import { createHook, patched } from "hookline";
      export async function deploy(id: string) {
        "use workflow";
        const charged = patched("hold-first") ? "later" : await charge(id);
        const approval = await createHook<string>({ token: "approve:" + id });
        const shipped = await ship(id);
        return { build: "C", patched: patched("hold-first"), charged, approval, shipped };
      }
      async function charge(id: string) { "use step"; return "C-charge " + id; }
      async function ship(id: string) { "use step"; return "C-ship " + id; }
    `);
    const third = await runtimeFor(guarded, { world: createLocalWorld({ dir }), steps: guarded.steps });
    expect(await upgradeRun(old.runId)).toMatchObject({
      upgraded: true,
      from: bundleIdOf(a.bundle.code),
      bundleId: bundleIdOf(guarded.bundle.code),
    });
    await third.resumeHook("approve:o5", "yes");
    await expect(getRun(old.runId).returnValue).resolves.toEqual({
      build: "C",
      patched: false,
      charged: "A-charge o5",
      approval: "yes",
      shipped: "C-ship o5",
    });

    const fresh = await third.start(WF, ["n5"]);
    await expect
      .poll(async () => (await third.world.listHooks({ runId: fresh.runId, status: "active" })).length)
      .toBe(1);
    const marks = (await third.world.readEvents(fresh.runId)).filter((e) => e.type === "patch_marked");
    expect(marks.map((e) => e.data)).toEqual([{ patchId: "hold-first" }]);
    await closeRuntime(third);
    // Replayed after a restart, the marker keeps the answer true.
    const fourth = await runtimeFor(guarded, { world: createLocalWorld({ dir }), steps: guarded.steps });
    await fourth.resumeHook("approve:n5", "ok");
    await expect(getRun(fresh.runId).returnValue).resolves.toEqual({
      build: "C",
      patched: true,
      charged: "later",
      approval: "ok",
      shipped: "C-ship n5",
    });
    const end = (await fourth.world.readEvents(fresh.runId)).at(-1)!;
    expect(end.type === "run_completed" && deserialize(end.data.result)).toMatchObject({ patched: true });
  });

  test("a child run started by a run of an older build runs that build's workflow code, as its parent does", async () => {
    const dir = await tempDir();
    const family = (version: string) => `
      import { createHook } from "hookline";
      import { start } from "hookline/api";
      export async function parent() {
        "use workflow";
        await createHook<string>({ token: "family" });
        const run = await start(child, []);
        return { parent: "${version}", child: await run.returnValue };
      }
      export async function child() { "use workflow"; return "${version}-child"; }
    `;
    const a = await build(family("A"));
    const first = await runtimeFor(a, { world: createLocalWorld({ dir }), steps: a.steps });
    const run = await first.start("workflow//workflows/deploy.ts//parent", []);
    await expect.poll(async () => (await first.world.listHooks({ status: "active" })).length).toBe(1);
    await closeRuntime(first);

    const b = await build(family("B"));
    const second = await runtimeFor(b, { world: createLocalWorld({ dir }), steps: b.steps });
    await second.resumeHook("family", "go");
    await expect(getRun(run.runId).returnValue).resolves.toEqual({ parent: "A", child: "A-child" });
    const childStarted = (await second.world.readEvents(run.runId)).find((e) => e.type === "child_started")!;
    const childId = childStarted.type === "child_started" ? childStarted.data.childRunId : "";
    const created = (await second.world.readEvents(childId))[0]!;
    expect(created.type === "run_created" && created.data.bundleId).toBe(bundleIdOf(a.bundle.code));
  });
});
