/**
 * `pnpm bench`: a 30-day drip campaign (a step and a one-day sleep, thirty times) run by
 * hookline/testing on its virtual clock, from start() to the result, each on a fresh test runtime.
 */
import { bench, vi } from "vitest";
import { createTestRuntime } from "../src/testing.js";
import { drip } from "../test/fixtures/drip";

vi.mock("../test/fixtures/mailer", () => ({ sendEmail: async (to: string) => ({ id: `msg-${to}` }) }));

bench(
  "30-day drip: start() → result() (30 steps, 30 sleeps)",
  async () => {
    const hl = await createTestRuntime();
    try {
      const run = await hl.start(drip, ["ann@example.com"]);
      await run.result();
    } finally {
      await hl.close();
    }
  },
  { iterations: 20, warmupIterations: 2 },
);
