/** What a step's error stack keeps: the user's frames, not the runtime's plumbing that called the step. */
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { withoutPlumbing } from "../src/host/stack-remap.js";

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
