/** A workflow's stack: the bundle's frames mapped to the user's files, the runtime's and the host's left out. */
import { expect, test } from "vitest";
import { BundleStackMap } from "../src/host/bundle-stack.js";

// Bundle line 1 → workflows/order.ts line 1, line 2 → workflows/order.ts line 5, line 3 → the runtime's state.ts line 3.
const map = new BundleStackMap(
  {
    sources: ["workflows/order.ts", "../../packages/core/src/workflow/state.ts"],
    ignoreList: [1],
    mappings: "AAAA;AAIA;ACFA",
  } as never,
  "hookline-workflows.js",
);

const stack = [
  "OrderRejected: rejected o-1",
  "    at checkOrder (hookline-workflows.js:1:1)",
  "    at Array.map (<anonymous>)",
  "    at async order (hookline-workflows.js:2:1)",
  "    at Object.start (hookline-workflows.js:3:1)",
  "    at #startWorkflow (/app/.next/server/chunks/core.js:4507:33)",
  "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  "    at async /app/.next/server/chunks/core.js:4411:13",
].join("\n");

test("keeps the user's frames (and native ones among them), mapped; drops ignore-listed and host frames", () => {
  expect(map.remap(stack)).toBe(
    [
      "OrderRejected: rejected o-1",
      "    at checkOrder (workflows/order.ts:1:1)",
      "    at Array.map (<anonymous>)",
      "    at async order (workflows/order.ts:5:1)",
    ].join("\n"),
  );
});

test("keeps every frame, mapped, when none is the user's (an error of the runtime itself)", () => {
  const runtime = [
    "ReplayDivergenceError: x",
    "    at Object.start (hookline-workflows.js:3:1)",
    "    at async /app/.next/server/chunks/core.js:4411:13",
  ].join("\n");
  expect(map.remap(runtime)).toBe(
    [
      "ReplayDivergenceError: x",
      "    at Object.start (../../packages/core/src/workflow/state.ts:3:1)",
      "    at async /app/.next/server/chunks/core.js:4411:13",
    ].join("\n"),
  );
});
