/** The virtual clock: advance() fires due wake-ups in order, steps read virtual time, result() skips to wake-ups. */
import { afterEach, expect, it, vi } from "vitest";
import { createTestRuntime, type TestRuntime } from "../src/testing.js";
import { bill } from "./fixtures/billing";
import { drip } from "./fixtures/drip";
import { charge } from "./fixtures/payments";

vi.mock("./fixtures/mailer", () => ({ sendEmail: async () => ({ id: "m" }) }));
vi.mock("./fixtures/payments", () => ({ charge: vi.fn() }));

const START = new Date("2026-06-01T12:00:00Z");
let hl: TestRuntime | undefined;
afterEach(async () => {
  await hl?.close();
  hl = undefined;
  vi.mocked(charge).mockReset();
});

it("advance() fires the sleeps that fall due, one after another, and no later one", async () => {
  hl = await createTestRuntime({ now: START });
  const run = await hl.start(drip, ["bo@example.com", 5]);
  expect(await run.waitForSleep()).toMatchObject({ until: new Date("2026-06-02T12:00:00Z") });

  await hl.clock.advance("1d");
  expect((await run.waitForSleep()).until).toEqual(new Date("2026-06-03T12:00:00Z"));
  await hl.clock.advance("60h");
  // Days 2 and 3 ended; day 4's sleep (until 06-05 12:00) is still 12 hours away.
  expect(hl.clock.now()).toEqual(new Date("2026-06-05T00:00:00Z"));
  expect((await run.waitForSleep()).until).toEqual(new Date("2026-06-05T12:00:00Z"));
  const steps = (await run.events()).filter((event) => event.type === "step_completed");
  expect(steps).toHaveLength(4);
  expect(await run.status()).toBe("running");

  await hl.clock.advanceTo(new Date("2026-06-06T12:00:00Z"));
  expect(await run.status()).toBe("completed");
});

it("makes Date read the virtual clock in steps and in the test, and gives the real one back on close", async () => {
  hl = await createTestRuntime({ now: START });
  expect(Date.now()).toBe(START.getTime());
  expect(new Date()).toEqual(START);
  expect(new Date(0) instanceof Date).toBe(true);
  vi.mocked(charge).mockResolvedValue("rcpt-1");
  const run = await hl.start(bill, ["o-1"]);
  await hl.clock.advance("7d");
  expect(await run.result()).toEqual({
    receipt: "rcpt-1",
    invoicedAfter: "2026-06-01T12:00:00.000Z",
    dueAt: "2026-06-08T12:00:00.000Z",
  });
  await hl.close();
  hl = undefined;
  expect(Math.abs(Date.now() - performance.timeOrigin - performance.now())).toBeLessThan(5_000);
});

it("result() skips a failing step's backoff in virtual time, then the sleep", async () => {
  hl = await createTestRuntime({ now: START });
  vi.mocked(charge)
    .mockRejectedValueOnce(new Error("provider down"))
    .mockRejectedValueOnce(new Error("provider down"))
    .mockResolvedValue("rcpt-2");
  const run = await hl.start(bill, ["o-2"]);
  const [step] = await run.handle.steps();
  expect(step).toMatchObject({ name: "chargeOrder", status: "retrying", attempts: 1, error: "provider down" });

  const result = await run.result();
  expect(result.receipt).toBe("rcpt-2");
  expect(charge).toHaveBeenCalledTimes(3);
  // Backoff of 1 s then 2 s before the third attempt, then the 7-day sleep.
  expect(result.invoicedAfter).toBe("2026-06-01T12:00:03.000Z");
  expect(result.dueAt).toBe("2026-06-08T12:00:03.000Z");
});

it("refuses a second open test runtime, naming the fix", async () => {
  hl = await createTestRuntime();
  await expect(createTestRuntime()).rejects.toThrow(/another test runtime is still open/);
});
