/** Source maps from transform(): generated workflow and step code maps back to the original lines. */
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { expect, test } from "vitest";
import { type TransformMode, transform } from "../src/index.js";

const SOURCE = `import { sleep } from "hookline";
import type { Order } from "./types";

export async function checkout(order: Order) {
  "use workflow";
  const total: number = order.items.length;
  await sleep("1d");
  async function notify(channel: string) {
    "use step";
    return channel + total;
  }
  return notify("email");
}

async function charge(order: Order): Promise<string> {
  "use step";
  const cents: number = order.items.length * 100;
  return String(cents);
}
`;

function originalLineOf(mode: TransformMode, needle: string): { line: number | null; source: string | null } {
  const result = transform(SOURCE, { filename: "/project/app/checkout.ts", root: "/project", mode, sourceMaps: true });
  expect(result.map).not.toBeNull();
  const lines = result.code.split("\n");
  const index = lines.findIndex((l) => l.includes(needle));
  expect(index, `${needle} in ${mode} output`).toBeGreaterThanOrEqual(0);
  const column = lines[index]!.indexOf(needle);
  const position = originalPositionFor(new TraceMap(result.map!), { line: index + 1, column });
  return { line: position.line, source: position.source };
}

test("workflow-mode code maps back to its original line", () => {
  expect(originalLineOf("workflow", 'await sleep("1d")')).toEqual({ line: 7, source: "/project/app/checkout.ts" });
  expect(originalLineOf("workflow", "return notify(")).toMatchObject({ line: 12 });
});

test("step-mode code maps back to its original line, hoisted nested steps included", () => {
  expect(originalLineOf("step", "const cents = order.items.length * 100")).toMatchObject({ line: 17 });
  expect(originalLineOf("step", "return channel + total")).toMatchObject({ line: 10 });
});

test("no map is made unless asked for", () => {
  expect(transform(SOURCE, { filename: "/project/app/checkout.ts", root: "/project", mode: "step" }).map).toBeNull();
});
