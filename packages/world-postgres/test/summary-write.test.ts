/**
 * Appends write the run summary without reading it first: the database applies only the fields
 * core's applyToSummary changes. That is right only while each changed field follows from the
 * event alone; if applyToSummary ever derives a field from the previous summary (a counter, say),
 * this test fails and the world needs a read-modify-write append instead.
 */
import { applyToSummary, type EventType, type RunSummary, type WorkflowEvent } from "@hookline/core/world";
import { describe, expect, it } from "vitest";
import { summaryWrite } from "../src/append.js";

const samples: Record<Exclude<EventType, "run_created">, WorkflowEvent["data"]> = {
  run_started: {},
  patch_marked: { patchId: "p" },
  run_upgraded: { bundleId: "b" },
  run_completed: { result: 1 },
  run_failed: { error: { message: "x" } },
  run_cancelled: {},
  step_started: { stepId: "s", attempt: 1 },
  step_completed: { stepId: "s", result: 1 },
  step_failed: { stepId: "s", attempt: 1, error: {} },
  sleep_started: { until: 5 },
  sleep_completed: {},
  hook_created: { kind: "hook", tokenHash: "h" },
  hook_conflicted: { heldBy: "r" },
  hook_received: { payload: 1 },
  hook_rejected: { error: {} },
  hook_disposed: {},
  hook_timed_out: {},
  webhook_responded: { requestId: "q", response: {} },
  child_started: { workflowId: "wf//c", childRunId: "c" },
  child_ended: { childRunId: "c", status: "completed", result: 1 },
};

const event = (type: EventType, data: unknown): WorkflowEvent =>
  ({ v: 1, runId: "r", seq: 9, type, corr: "o1", at: 1_234, data }) as WorkflowEvent;

const previous: RunSummary[] = [
  { runId: "r", workflowId: "wf//a", status: "pending", createdAt: 1, updatedAt: 1, lastSeq: 8 },
  { runId: "r", workflowId: "wf//b", status: "running", createdAt: 2, updatedAt: 7, startedAt: 3, lastSeq: 8 },
  {
    runId: "r",
    workflowId: "wf//c",
    status: "completed",
    createdAt: 3,
    updatedAt: 9,
    startedAt: 4,
    endedAt: 9,
    lastSeq: 8,
  },
];

/** What the SQL does with a patch: set each present field (null clears it). */
function applyPatch(summary: RunSummary, patch: Record<string, unknown>): RunSummary {
  const next: Record<string, unknown> = { ...summary, lastSeq: 9 };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as unknown as RunSummary;
}

describe("summary writes", () => {
  it("run_created writes the whole summary applyToSummary makes", () => {
    const created = event("run_created", { workflowId: "wf//x", args: [], seed: "s" });
    expect(summaryWrite(created)).toEqual(applyToSummary(null, created));
  });

  it.each(Object.entries(samples))(
    "%s: the patch gives applyToSummary's result from any previous summary",
    (type, data) => {
      const e = event(type as EventType, data);
      for (const summary of previous) expect(applyPatch(summary, summaryWrite(e))).toEqual(applyToSummary(summary, e));
    },
  );
});
