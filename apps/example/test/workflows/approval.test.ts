/** The expense approval workflow, in-process: a person's decision through its typed hook. */
import { HookPayloadError } from "hookline";
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { approvalDecision, expenseApproval } from "@/workflows/approval";

let hl: TestRuntime;
beforeEach(async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  hl = await createTestRuntime();
});
afterEach(async () => {
  await hl.close();
  vi.restoreAllMocks();
});

it("pays out once approved, naming the reviewer", async () => {
  const run = await hl.start(expenseApproval, ["exp-1", 12_500, "Team dinner"]);
  const hook = await run.waitForHook({ token: "approval:exp-1" });
  expect(hook.metadata).toEqual({ requestId: "exp-1", amountCents: 12_500, description: "Team dinner" });
  expect(console.log).toHaveBeenCalledWith("[example] approval exp-1 requested: Team dinner (125.00 EUR)");
  // The same call the app's server action makes.
  await approvalDecision.resume("approval:exp-1", { approved: true, reviewer: "maria" });
  expect(await run.result()).toEqual({
    requestId: "exp-1",
    status: "approved",
    reviewer: "maria",
    payoutId: "po_exp-1",
  });
});

it("tells the requester when rejected", async () => {
  const run = await hl.start(expenseApproval, ["exp-2", 99_00, "Espresso machine"]);
  await hl.resumeHook("approval:exp-2", { approved: false, reviewer: "li", note: "over budget" });
  expect(await run.result()).toMatchObject({ status: "rejected", note: "over budget" });
  expect(console.log).toHaveBeenCalledWith("[example] approval exp-2 rejected: over budget");
});

it("refuses a decision that does not fit the schema, and keeps waiting", async () => {
  const run = await hl.start(expenseApproval, ["exp-3", 100, "Pens"]);
  await expect(approvalDecision.resume("approval:exp-3", { approved: "yes" } as never)).rejects.toSatisfy(
    HookPayloadError.is,
  );
  expect((await run.waits()).map((wait) => wait.kind)).toEqual(["hook"]);
});
