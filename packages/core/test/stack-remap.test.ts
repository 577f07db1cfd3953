/** What a step's error stack keeps: the user's frames, not the runtime's plumbing that called the step. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { pointAtStep, remapErrorStacks, upToStep, withoutPlumbing } from "../src/host/stack-remap.js";

const runtimeFile = fileURLToPath(new URL("../src/host/step-runner.ts", import.meta.url));

test("drops the runtime's and Node's frames after the user's own", () => {
  const stack = [
    "FatalError: card declined",
    "    at chargeCard (app/workflows/checkout.ts:43:9)",
    `    at ${runtimeFile}:1256:76`,
    "    at AsyncLocalStorage.run (node:async_hooks:346:14)",
    `    at Y (${runtimeFile}:1249:50)`,
    "    at new Promise (<anonymous>)",
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  ].join("\n");
  expect(withoutPlumbing(stack)).toBe("FatalError: card declined\n    at chargeCard (app/workflows/checkout.ts:43:9)");
});

test("keeps every frame when the runtime's are all there is (an error of the runtime itself)", () => {
  const stack = `WorldError: disk full\n    at append (${runtimeFile}:10:5)\n    at node:internal/process/task_queues:95:5`;
  expect(withoutPlumbing(stack)).toBe(stack);
});

test("ends a step's stack at the step's own frame: below it is the runtime that called the step, whatever its files", () => {
  const below = [
    "    at webpack:/src/host/step-runner.ts:55:76",
    "    at async attemptStep (.next/server/chunks/2617.js:1:200)",
  ];
  const sync = [
    "CardExpiredError: expired",
    "    at checkExpiry (lib/cards.ts:16:33)",
    "    at chargeCard (workflows/stacks.ts:16:3)",
    ...below,
  ].join("\n");
  expect(upToStep(sync, "chargeCard")).toBe(sync.split("\n").slice(0, 3).join("\n"));
  const awaited = [
    "Error: late",
    "    at validate (lib/cards.ts:3:9)",
    "    at async chargeCard (workflows/stacks.ts:17:3)",
    ...below,
  ].join("\n");
  expect(upToStep(awaited, "chargeCard")).toBe(awaited.split("\n").slice(0, 3).join("\n"));
  const method = ["Error: no rate", "    at Pricing.total (workflows/pricing.ts:4:11)", ...below].join("\n");
  expect(upToStep(method, "Pricing.total")).toBe(method.split("\n").slice(0, 2).join("\n"));
  // Without the step's frame (a step that threw a value made elsewhere), the stack is kept.
  expect(upToStep(sync, "refund")).toBe(sync);
});

test("maps a server chunk's frames through its .map, naming webpack's sources by their path in the app", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hookline-stack-"));
  const chunk = join(dir, "chunk.js");
  await writeFile(chunk, "x\n");
  const mappings = "AAAA;;;;ACIA"; // line 1 → source 0 line 1, line 5 → source 1 line 5
  await writeFile(
    `${chunk}.map`,
    JSON.stringify({
      version: 3,
      sources: ["webpack://example/lib/cards.ts", "webpack://example/workflows/pay.ts"],
      names: [],
      mappings,
    }),
  );
  const error = new Error("expired");
  error.stack = `Error: expired\n    at o (${chunk}:1:1)\n    at chargeCard (${chunk}:5:1)\n    at runStep (${chunk}:9:1)`;
  remapErrorStacks(error, "chargeCard");
  expect(error.stack).toBe("Error: expired\n    at o (lib/cards.ts:1:1)\n    at chargeCard (workflows/pay.ts:5:1)");
});

test("an error the runtime raises about a step (and its cause) names the step in its file, not the runtime's frames", () => {
  const cause = new TypeError("a PaperReceipt class instance is not serializable");
  const error = new Error('Step "issueReceipt" returned a value that cannot be recorded', { cause });
  pointAtStep(error, "step//workflows/stacks.ts//issueReceipt");
  expect(error.stack).toBe(
    `Error: Step "issueReceipt" returned a value that cannot be recorded\n    at issueReceipt (workflows/stacks.ts)`,
  );
  expect(cause.stack).toBe(
    "TypeError: a PaperReceipt class instance is not serializable\n    at issueReceipt (workflows/stacks.ts)",
  );
});
