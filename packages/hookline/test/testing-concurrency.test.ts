/** Steps that take real time, and concurrency slots: settling waits for them, and a freed slot wakes the next run. */
import { afterEach, expect, it } from "vitest";
import { createTestRuntime, type TestRuntime } from "../src/testing.js";
import { calls, syncAccount } from "./fixtures/sync";

let hl: TestRuntime | undefined;
afterEach(async () => {
  await hl?.close();
  hl = undefined;
  calls.length = 0;
});

it("runs one sync of an account at a time, each after the previous one's slot is given back", async () => {
  hl = await createTestRuntime();
  const concurrency = { key: "account:42", limit: 1 };
  const runs = await Promise.all(["a", "b", "c"].map((job) => hl!.start(syncAccount, [job], { concurrency })));
  // start() settles: the first sync has run; the others ran as the slot came free.
  expect(calls).toHaveLength(6);
  for (let i = 0; i < calls.length; i += 2)
    expect([calls[i]!.at, calls[i + 1]!.at, calls[i]!.job]).toEqual(["start", "end", calls[i + 1]!.job]);
  expect(await Promise.all(runs.map((run) => run.result()))).toEqual(["a", "b", "c"]);
});
