import { describe, expect, test } from "vitest";
import { getRun, listRuns } from "../src/api.js";
import { hashToken } from "../src/host/tokens.js";
import { runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

describe("run views for dashboards", () => {
  test("listRuns, a run's steps with attempts and timings, and its pending waits", async () => {
    const runtime = await runtimeFor({
      "workflows/views.ts": `
        import { createHook, sleep } from "hookline";
        export async function views(label: string) {
          "use workflow";
          await flaky(label);
          await sleep("20ms");
          return await createHook<string>({ token: "views:" + label, metadata: { label }, timeout: "1h" });
        }
        export async function other() { "use workflow"; return 1; }
        let calls = 0;
        async function flaky(label: string) { "use step"; calls += 1; if (calls === 1) throw new Error("first try fails"); return label; }
      `,
    });
    const run = await runtime.start("workflow//workflows/views.ts//views", ["a"]);
    const done = await runtime.start("workflow//workflows/views.ts//other", []);
    await done.returnValue;
    await waitFor("the hook", async () => (await runtime.world.getHook(hashToken("views:a")))?.status === "active");

    const all = await listRuns();
    expect(all.map((r) => r.runId)).toEqual([done.runId, run.runId]);
    expect(all[1]).toMatchObject({ workflowName: "views", status: "running" });
    expect(await getRun(run.runId).info()).toEqual(all[1]);
    expect((await listRuns({ status: "completed" })).map((r) => r.runId)).toEqual([done.runId]);
    expect((await listRuns({ workflowId: "workflow//workflows/views.ts//views" })).map((r) => r.runId)).toEqual([
      run.runId,
    ]);

    const [step] = await getRun(run.runId).steps();
    expect(step).toMatchObject({ id: "o1", name: "flaky", status: "completed", attempts: 2, error: "first try fails" });
    expect(step!.endedAt!.getTime()).toBeGreaterThanOrEqual(step!.startedAt.getTime());

    const waits = await getRun(run.runId).waits();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ kind: "hook", metadata: { label: "a" } });
    // The timeout counts from the workflow's clock (the event before the hook was recorded).
    expect(Math.abs(waits[0]!.until!.getTime() - waits[0]!.since.getTime() - 3_600_000)).toBeLessThan(1_000);

    await runtime.resumeHook("views:a", "x");
    await run.returnValue;
    expect(await getRun(run.runId).waits()).toEqual([]);
    expect((await getRun(run.runId).events()).at(-1)?.type).toBe("run_completed");
    await expect(getRun("wrun_nope").steps()).rejects.toThrow(/No run with id/);
  });

  test("waits: a hook that was answered is left out once the workflow waits in something newer, and listed again while a loop awaits it", async () => {
    const runtime = await runtimeFor({
      "workflows/waits.ts": `
        import { createHook, sleep } from "hookline";
        export async function answeredThenSleeps() {
          "use workflow";
          const hook = createHook<string>({ token: "waits:once" });
          await hook;
          await sleep("1h");
        }
        export async function loops() {
          "use workflow";
          const hook = createHook<string>({ token: "waits:loop" });
          for await (const payload of hook) { await handle(payload); if (payload === "stop") return; }
        }
        async function handle(payload: string) { "use step"; return payload; }
      `,
    });
    const once = await runtime.start("workflow//workflows/waits.ts//answeredThenSleeps", []);
    await waitFor("the hook", async () => (await runtime.world.getHook(hashToken("waits:once")))?.status === "active");
    expect((await getRun(once.runId).waits()).map((w) => w.kind)).toEqual(["hook"]);
    await runtime.resumeHook("waits:once", "yes");
    await waitFor("the sleep", async () => (await getRun(once.runId).events()).some((e) => e.type === "sleep_started"));
    expect((await getRun(once.runId).waits()).map((w) => w.kind)).toEqual(["sleep"]);

    const loop = await runtime.start("workflow//workflows/waits.ts//loops", []);
    await waitFor("the hook", async () => (await runtime.world.getHook(hashToken("waits:loop")))?.status === "active");
    await runtime.resumeHook("waits:loop", "first");
    await waitFor("the step", async () => (await getRun(loop.runId).events()).some((e) => e.type === "step_completed"));
    // Nothing newer than the delivery is pending: the loop is back in the hook.
    expect((await getRun(loop.runId).waits()).map((w) => w.kind)).toEqual(["hook"]);
    await runtime.resumeHook("waits:loop", "stop");
    await loop.returnValue;
    expect(await getRun(loop.runId).waits()).toEqual([]);
  });
});
