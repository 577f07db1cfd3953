/** The scheduled digest, in-process: its cron schedule fires on the virtual clock, in Berlin time. */
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { dailyDigest } from "@/workflows/digest";

let hl: TestRuntime;
beforeEach(async () => {
  // Monday 8:30 in Berlin (CET, UTC+1).
  hl = await createTestRuntime({ now: new Date("2026-01-05T07:30:00Z") });
});
afterEach(() => hl.close());

it("starts one digest at 09:00 Berlin time on weekdays, none at the weekend", async () => {
  const digests = async () =>
    (await hl.world.listRuns({ workflowId: "workflow//workflows/digest.ts//dailyDigest" })).length;
  await hl.clock.advance("29m");
  expect(await digests()).toBe(0);
  await hl.clock.advance("1m");
  expect(await digests()).toBe(1);
  // To Monday 8:30 again: Tuesday to Friday ran, Saturday and Sunday did not.
  await hl.clock.advance("7d");
  expect(await digests()).toBe(6);
});

it("counts the runs of the last day", async () => {
  const earlier = await hl.start(dailyDigest, ["ops"]);
  expect(await earlier.result()).toEqual({ team: "ops", runs: 1, failed: 0 });
});
