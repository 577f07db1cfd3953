/** Child runs, in-process: one run per parcel, a held parcel resumed by the warehouse, a lost one reported. */
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { shipOrder } from "@/workflows/shipment";

let hl: TestRuntime;
beforeEach(async () => {
  hl = await createTestRuntime();
});
afterEach(() => hl.close());

it("ships each parcel as a child run and waits for every one of them", async () => {
  const run = await hl.start(shipOrder, ["ord-7", ["box", "held:customs-check", "lost"]]);
  const held = await hl.findHook({ token: "parcel:ord-7:held:customs-check" });
  expect(held?.runId).not.toBe(run.runId);
  expect(await run.status()).toBe("running");

  await hl.resumeHook("parcel:ord-7:held:customs-check", "released");
  const result = await run.result();
  expect(result.shipped).toEqual([
    { parcel: "box", runId: expect.any(String), label: "label:ord-7:box" },
    { parcel: "held:customs-check", runId: held?.runId, label: "label:ord-7:held:customs-check" },
    { parcel: "lost", runId: expect.any(String), failed: "Parcel lost of ord-7 was lost by the carrier." },
  ]);
  // The customs declaration was started detached: it still waits for the broker.
  expect(await hl.getRun(result.customsRunId).status()).toBe("running");
  expect((await hl.getRun(result.customsRunId).waitForHook({ token: "customs:ord-7" })).kind).toBe("hook");
});

it("cancels the parcels still running with the order, but not the customs declaration", async () => {
  const run = await hl.start(shipOrder, ["ord-8", ["held:a"]]);
  const parcel = await hl.findHook({ token: "parcel:ord-8:held:a" });
  const customs = await hl.findHook({ token: "customs:ord-8" });
  await run.cancel("customer changed their mind");
  expect(await hl.getRun(parcel!.runId).status()).toBe("cancelled");
  expect(await hl.getRun(customs!.runId).status()).toBe("running");
});
