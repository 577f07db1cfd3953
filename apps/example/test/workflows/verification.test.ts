/** Document verification, in-process: the vendor's callback raced against a 6-second durable sleep. */
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { VENDOR_DEADLINE_SECONDS, verifyDocument } from "@/workflows/verification";

let hl: TestRuntime;
beforeEach(async () => {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => Response.json({ checkId: "chk-1" })),
  );
  vi.spyOn(console, "log").mockImplementation(() => {});
  hl = await createTestRuntime();
});
afterEach(async () => {
  await hl.close();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it("takes the vendor's verdict when it comes before the deadline", async () => {
  const run = await hl.start(verifyDocument, ["doc-1", "clear"]);
  const callback = await run.waitForHook({ kind: "webhook" });
  await hl.clock.advance(`${VENDOR_DEADLINE_SECONDS - 1}s`);
  const answer = await callback.send({ body: JSON.stringify({ verdict: "approved" }) });
  expect(answer.status).toBe(202);
  expect(await run.result()).toEqual({ documentId: "doc-1", result: "verified" });
});

it("times the document out when the deadline passes first, and answers a late callback 410", async () => {
  const run = await hl.start(verifyDocument, ["doc-2", "slow"]);
  const callback = await run.waitForHook({ kind: "webhook" });
  expect((await run.waitForSleep()).until.getTime() - hl.clock.now().getTime()).toBe(VENDOR_DEADLINE_SECONDS * 1000);
  await hl.clock.advance(`${VENDOR_DEADLINE_SECONDS}s`);
  expect(await run.result()).toEqual({ documentId: "doc-2", result: "timed out" });
  expect((await callback.send({ body: JSON.stringify({ verdict: "approved" }) })).status).toBe(410);
  expect(console.log).toHaveBeenCalledWith("[example] document doc-2: timed out (no answer within 6 s)");
});
