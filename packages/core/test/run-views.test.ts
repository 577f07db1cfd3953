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
    expect((await listRuns({ workflowId: "workflow//workflows/views.ts//views" })).map((r) => r.runId)).toEqual([run.runId]);

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
});
