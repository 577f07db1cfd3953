/** The customer import, in-process: object storage replaced with vi.mock(), reached by the steps that read it. */
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { getObject } from "@/lib/uploads";
import { importCustomers, uploadCompleted } from "@/workflows/import";

vi.mock("@/lib/uploads", () => ({ getObject: vi.fn() }));

const csv = (rows: number) =>
  ["name,email,plan", ...Array.from({ length: rows }, (_, i) => `c${i},c${i}@example.com,pro`)].join("\n");

let hl: TestRuntime;
beforeEach(async () => {
  hl = await createTestRuntime();
});
afterEach(async () => {
  await hl.close();
  vi.mocked(getObject).mockReset();
});

it("imports the uploaded file in batches of 1,000 rows, reading it by its key", async () => {
  vi.mocked(getObject).mockResolvedValue(csv(2_500));
  const run = await hl.start(importCustomers, ["imp-1", "customers.csv"]);
  const upload = await run.waitForHook({ token: "upload:imp-1" });
  expect(upload.metadata).toEqual({ importId: "imp-1", fileName: "customers.csv" });
  await uploadCompleted.resume("upload:imp-1", { objectKey: "uploads/imp-1.csv", bytes: 80_000 });
  expect(await run.result()).toMatchObject({
    rows: 2_500,
    imported: 2_500,
    batches: 3,
    objectKey: "uploads/imp-1.csv",
  });
  expect(getObject).toHaveBeenCalledWith("uploads/imp-1.csv");
  expect((await run.handle.steps()).map((step) => step.name)).toEqual([
    "countRows",
    "importBatch",
    "importBatch",
    "importBatch",
  ]);
});

it("fails the run when nobody uploads within the hour", async () => {
  const run = await hl.start(importCustomers, ["imp-2", "late.csv"]);
  await hl.clock.advance("1h");
  expect(await run.status()).toBe("failed");
  expect(getObject).not.toHaveBeenCalled();
});
