/** The inspector's timeline rows for a parent's child runs: started (detached or not) and ended, with the child's outcome. */
import type { WorkflowEvent } from "@hookline/core/world";
import { describe, expect, it } from "vitest";
import { timeline } from "../src/inspector/timeline.js";

const event = (seq: number, type: string, data: unknown, corr?: string): WorkflowEvent =>
  ({ v: 1, runId: "wrun_parent", seq, type, at: 1_000 + seq, data, ...(corr ? { corr } : {}) }) as WorkflowEvent;

describe("the inspector's timeline", () => {
  it("shows a child's start (naming its run, and whether it is detached) and its end with its outcome", () => {
    const rows = timeline(
      [
        event(1, "run_created", { workflowId: "workflow//app/order.ts//shipOrder", args: [], seed: "s" }),
        event(2, "child_started", { workflowId: "workflow//app/order.ts//shipParcel", childRunId: "wrun_a" }, "o1"),
        event(
          3,
          "child_started",
          { workflowId: "workflow//app/order.ts//declareCustoms", childRunId: "wrun_b", detached: true },
          "o2",
        ),
        event(4, "child_ended", { childRunId: "wrun_a", status: "completed", result: "label-a" }, "o1"),
        event(5, "child_ended", { childRunId: "wrun_b", status: "cancelled", reason: "not needed" }, "o2"),
      ],
      10_000,
    );
    expect(rows.map((row) => row.label)).toEqual([
      "run created",
      "child shipParcel started",
      "child declareCustoms started",
      "child completed",
      "child cancelled",
    ]);
    expect(String(rows[1]!.detail)).toBe("run <code>wrun_a</code>");
    expect(String(rows[2]!.detail)).toContain("detached");
    expect(String(rows[3]!.detail)).toContain("label-a");
    expect(String(rows[4]!.detail)).toContain("not needed");
  });

  it("names the build a run started on, a move to a new build, and a patch the run took", () => {
    const bundleId = "8bda1fbee53f".padEnd(64, "0");
    const rows = timeline(
      [
        event(1, "run_created", { workflowId: "workflow//app/order.ts//shipOrder", args: [], seed: "s", bundleId }),
        event(2, "run_upgraded", { bundleId: "3f9c2e1a0b7d".padEnd(64, "0"), from: bundleId }),
        event(3, "patch_marked", { patchId: "fraud-check" }),
      ],
      10_000,
    );
    expect(rows.map((row) => row.label)).toEqual(["run created", "moved to a new build", 'patched("fraud-check")']);
    expect(String(rows[0]!.detail)).toBe("shipOrder · build <code>8bda1fbee53f</code>");
    expect(String(rows[1]!.detail)).toContain("<code>3f9c2e1a0b7d</code>");
  });
});
