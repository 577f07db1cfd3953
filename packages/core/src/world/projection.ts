/**
 * Derived state. Worlds keep a run summary and a hook index beside the log; both are pure
 * functions of the events, defined once here so every world derives them the same way.
 */
import { HOOK_END_EVENTS, TERMINAL_RUN_EVENTS, type WorkflowEvent } from "./events.js";
import type { HookRecord, RunSummary } from "./world.js";

/** The run summary after `event`; `summary` is null only for `run_created`. */
export function applyToSummary(summary: RunSummary | null, event: WorkflowEvent): RunSummary {
  if (event.type === "run_created") {
    return {
      runId: event.runId,
      workflowId: event.data.workflowId,
      status: "pending",
      createdAt: event.at,
      updatedAt: event.at,
      lastSeq: event.seq,
      ...(event.data.parentRunId === undefined ? {} : { parentRunId: event.data.parentRunId }),
      ...(event.data.rerunOf === undefined ? {} : { rerunOf: event.data.rerunOf }),
    };
  }
  if (!summary) throw new Error(`run ${event.runId}: first event is ${event.type}, expected run_created`);
  const next: RunSummary = { ...summary, lastSeq: event.seq, updatedAt: event.at };
  switch (event.type) {
    case "run_started":
      next.status = "running";
      next.startedAt = event.at;
      break;
    case "run_completed":
      next.status = "completed";
      next.endedAt = event.at;
      break;
    case "run_failed":
      next.status = "failed";
      next.endedAt = event.at;
      break;
    case "run_cancelled":
      next.status = "cancelled";
      next.endedAt = event.at;
      break;
  }
  return next;
}

export type HookIndexChange =
  | { kind: "claim"; record: HookRecord }
  | { kind: "end"; hookId: string; at: number }
  | { kind: "end-all"; at: number }
  | null;

/** How `event` changes the hook index of its run. */
export function hookIndexChange(event: WorkflowEvent): HookIndexChange {
  if (event.type === "hook_created") {
    const d = event.data;
    const record: HookRecord = {
      tokenHash: d.tokenHash,
      runId: event.runId,
      hookId: event.corr ?? "",
      kind: d.kind,
      status: "active",
      createdAt: event.at,
    };
    if (d.expiresAt !== undefined) record.expiresAt = d.expiresAt;
    if (d.keyId !== undefined) record.keyId = d.keyId;
    if (d.metadata !== undefined) record.metadata = d.metadata;
    if (d.webhook !== undefined) record.webhook = d.webhook;
    return { kind: "claim", record };
  }
  if (HOOK_END_EVENTS.has(event.type) && event.corr) return { kind: "end", hookId: event.corr, at: event.at };
  if (TERMINAL_RUN_EVENTS.has(event.type)) return { kind: "end-all", at: event.at };
  return null;
}
