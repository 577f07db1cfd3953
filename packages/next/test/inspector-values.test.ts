/** How the inspector shows recorded values: a step function passed as a value names its step. */
import { serialize } from "@hookline/core/runtime";
import { describe, expect, test } from "vitest";
import { oneLine } from "../src/inspector/values.js";

describe("inspector values", () => {
  test("a step function in a step's arguments shows as the step it calls", () => {
    const recorded = [{ $t: "Step", id: "step//workflows/values.ts//compose/scale", c: { factor: 3 } }, 5];
    expect(oneLine(recorded)).toBe('["[step compose/scale]",5]');
    expect(oneLine(serialize([{ n: 1 }]))).toBe('[{"n":1}]');
  });
});
