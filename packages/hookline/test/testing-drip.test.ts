/** A 30-day drip campaign in a unit test: steps mocked with vi.mock(), sleeps skipped on the virtual clock. */
import { afterEach, expect, it, vi } from "vitest";
import { createTestRuntime, type TestRuntime } from "../src/testing.js";
import { drip } from "./fixtures/drip";
import { sendEmail } from "./fixtures/mailer";

vi.mock("./fixtures/mailer", () => ({ sendEmail: vi.fn(async (to: string) => ({ id: `msg-${to}` })) }));

let hl: TestRuntime | undefined;
afterEach(async () => {
  await hl?.close();
  hl = undefined;
  vi.mocked(sendEmail).mockClear();
});

it("runs 30 days of a drip campaign in well under a second", async () => {
  hl = await createTestRuntime({ now: new Date("2026-03-01T09:00:00Z") });
  const started = performance.now();
  const run = await hl.start(drip, ["ann@example.com"]);
  const result = await run.result();
  const elapsed = performance.now() - started;
  expect(result).toEqual({ email: "ann@example.com", sent: 30, last: "msg-ann@example.com@2026-03-30" });
  expect(sendEmail).toHaveBeenCalledTimes(30);
  expect(vi.mocked(sendEmail).mock.calls[29]).toEqual(["ann@example.com", "Day 30 of your trial"]);
  // The run ended on day 31 of virtual time, after its last sleep.
  expect(hl.clock.now().toISOString()).toBe("2026-03-31T09:00:00.000Z");
  console.log(`[hookline/testing] 30-day drip: ${elapsed.toFixed(0)} ms`);
  expect(elapsed).toBeLessThan(1_000);
});
