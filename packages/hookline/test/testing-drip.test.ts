/**
 * A 30-day drip campaign in a unit test: steps mocked with vi.mock(), sleeps skipped on the
 * virtual clock (on a real one the test would time out after 30 days). How fast it runs is
 * measured by `pnpm bench` (bench/drip.bench.ts), as DESIGN §5 wants: never by a timed test.
 */
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

it("runs 30 days of a drip campaign at once", async () => {
  hl = await createTestRuntime({ now: new Date("2026-03-01T09:00:00Z") });
  const run = await hl.start(drip, ["ann@example.com"]);
  const result = await run.result();
  expect(result).toEqual({ email: "ann@example.com", sent: 30, last: "msg-ann@example.com@2026-03-30" });
  expect(sendEmail).toHaveBeenCalledTimes(30);
  expect(vi.mocked(sendEmail).mock.calls[29]).toEqual(["ann@example.com", "Day 30 of your trial"]);
  // The run ended on day 31 of virtual time, after its last sleep.
  expect(hl.clock.now().toISOString()).toBe("2026-03-31T09:00:00.000Z");
  expect((await run.events()).filter((event) => event.type === "sleep_completed")).toHaveLength(30);
});
