/**
 * One append = one call of `append_event()` (see schema.ts): one round trip, one transaction.
 * The run summary and hook index changes are computed here by core's projection functions and
 * written by the database function beside the event, so every world derives state the same way.
 */
import {
  type AppendOptions,
  applyToSummary,
  DuplicateDeliveryError,
  DuplicateStartError,
  EventConflictError,
  HookConflictError,
  HookNotFoundError,
  hookIndexChange,
  LOG_FORMAT_VERSION,
  type NewEvent,
  RunNotFoundError,
  type RunStatus,
  type RunSummary,
  type WorkflowEvent,
  WorldError,
} from "@hookline/core/world";
import type pg from "pg";
import type { Names } from "./schema.js";
import { checkAppend, checkEnqueue, checkRunId } from "./validate.js";

export type AppendOutcome =
  | "ok"
  | "conflict"
  | "gap"
  | "no_run"
  | "hook_conflict"
  | "hook_not_found"
  | "duplicate"
  | "start_duplicate";

export interface AppendRow {
  r_outcome: AppendOutcome;
  r_held_by: string | null;
}

export interface PreparedAppend {
  query: pg.QueryConfig;
  /** The event as readEvents will return it. */
  stored: WorkflowEvent;
  /** The checked delay of the wake the append enqueues, if any. */
  wakeDelayMs: number | undefined;
}

export function prepareAppend(names: Names, runId: string, event: NewEvent, options: AppendOptions): PreparedAppend {
  checkRunId(runId, "append");
  const expectedSeq = checkAppend(runId, event, options);
  const wake = options.wake === undefined ? undefined : checkEnqueue(options.wake, `append to run ${runId} (wake)`);
  let dataText: string;
  try {
    dataText = JSON.stringify(event.data);
  } catch (error) {
    throw new WorldError(
      `PostgreSQL world: append to run ${runId}: ${event.type}.data is not JSON (${(error as Error).message}); events hold serialized values only.`,
      { cause: error },
    );
  }
  const stored = {
    v: LOG_FORMAT_VERSION,
    runId,
    seq: expectedSeq + 1,
    type: event.type,
    ...(event.corr === undefined ? {} : { corr: event.corr }),
    at: event.at,
    data: JSON.parse(dataText),
  } as WorkflowEvent;
  const change = hookIndexChange(stored);
  const checksHook = event.type === "hook_received" || event.type === "hook_rejected";
  // A start with an idempotency key claims the key in the same transaction (start_run()).
  const key = event.type === "run_created" ? event.data.idempotencyKey : undefined;
  const start =
    key === undefined || event.type !== "run_created"
      ? null
      : {
          values: [key, event.data.idempotencyKeyExpiresAt ?? null, event.data.workflowId],
          text: `${names.startRun}($1, $2, $3, `,
        };
  const args = Array.from({ length: 12 }, (_, i) => `$${i + 1 + (start ? 3 : 0)}`).join(", ");
  return {
    stored,
    wakeDelayMs: wake?.delayMs,
    query: {
      name: `hookline-${start ? "start" : "append"}:${names.schema}`,
      text: `SELECT r_outcome, r_held_by FROM ${start ? start.text : `${names.appendEvent}(`}${args})`,
      values: [
        ...(start ? start.values : []),
        runId,
        expectedSeq,
        LOG_FORMAT_VERSION,
        event.type,
        event.corr ?? null,
        event.at,
        dataText,
        JSON.stringify(summaryWrite(stored)),
        change === null ? null : JSON.stringify(change),
        checksHook ? (event.corr ?? "") : null,
        wake ? wake.delayMs : null,
        wake?.key ?? null,
      ],
    },
  };
}

/** start_run() raises this (message: the outcome, detail: held_by) to undo its key claim when append_event() refused. */
export const START_REFUSED_CODE = "HL001";

/** Turns a non-ok outcome into the contract's error. */
export function appendError(row: AppendRow, stored: WorkflowEvent): Error {
  const { runId, seq } = stored;
  switch (row.r_outcome) {
    case "conflict":
      return new EventConflictError(
        `Run ${runId}: event ${seq} (${stored.type}) was not appended because another writer appended event ${seq} first${row.r_held_by ? ` (the log now ends at ${row.r_held_by})` : ""}. Read the newer events and decide again.`,
      );
    case "gap":
      return new WorldError(
        `Run ${runId}: cannot append ${stored.type} at seq ${seq}: the log ends at ${row.r_held_by}, so expectedSeq ${seq - 1} is ahead of it. The caller's view of the log is wrong.`,
      );
    case "no_run":
      return new RunNotFoundError(
        `No run with id "${runId}": a run's first event must be run_created (appended with expectedSeq 0).`,
      );
    case "hook_conflict":
      return new HookConflictError(
        `The hook token is already held by an active hook of run ${row.r_held_by}; tokens are unique among active hooks, so run ${runId} cannot create this hook until that one ends.`,
        row.r_held_by === null ? undefined : { heldBy: row.r_held_by },
      );
    case "hook_not_found":
      return new HookNotFoundError(
        `Run ${runId} has no active hook ${stored.corr ?? "(no corr)"}: it was disposed, timed out or its run ended, so the ${stored.type} was not recorded.`,
      );
    case "duplicate": {
      // r_held_by is "<seq>:<requestId>" of the first delivery with this dedupe key.
      const held = row.r_held_by ?? "";
      const at = held.indexOf(":");
      const first = { seq: Number(held.slice(0, at)), requestId: held.slice(at + 1) };
      const key = stored.type === "hook_received" ? stored.data.dedupeKey : undefined;
      return new DuplicateDeliveryError(
        `Run ${runId}: hook ${stored.corr} already received the delivery with dedupe key ${JSON.stringify(key)} (request ${first.requestId}, seq ${first.seq}); nothing was appended.`,
        first,
      );
    }
    case "start_duplicate": {
      // r_held_by is "<runId>:<workflowId>" of the run holding the key (run ids have no ":").
      const held = row.r_held_by ?? "";
      const at = held.indexOf(":");
      const holder = { runId: held.slice(0, at), workflowId: held.slice(at + 1) };
      const key = stored.type === "run_created" ? stored.data.idempotencyKey : undefined;
      return new DuplicateStartError(
        `Idempotency key ${JSON.stringify(key)} is held by run ${holder.runId} (workflow "${holder.workflowId}"); no run was created.`,
        holder,
      );
    }
    default:
      return new WorldError(`Run ${runId}: append_event() answered ${JSON.stringify(row.r_outcome)}.`);
  }
}

// Impossible values: a field of the summary that differs from them after applyToSummary was set by the event.
const PROBE_TEXT = "\u0000probe";
const PROBE_NUMBER = -0.5;
const SUMMARY_FIELDS = ["workflowId", "status", "createdAt", "updatedAt", "startedAt", "endedAt", "lastSeq"] as const;

/**
 * What the event does to the run summary: the full summary for run_created, else the fields
 * applyToSummary changes (a field it removes maps to null). The SQL applies exactly these, so
 * the summary needs no read before the write and the append stays one round trip.
 */
export function summaryWrite(event: WorkflowEvent): Partial<Record<keyof RunSummary, unknown>> {
  if (event.type === "run_created") return applyToSummary(null, event);
  const probe: RunSummary = {
    runId: event.runId,
    workflowId: PROBE_TEXT,
    status: PROBE_TEXT as RunStatus,
    createdAt: PROBE_NUMBER,
    updatedAt: PROBE_NUMBER,
    startedAt: PROBE_NUMBER,
    endedAt: PROBE_NUMBER,
    lastSeq: PROBE_NUMBER,
  };
  const next = applyToSummary(probe, event);
  const patch: Partial<Record<keyof RunSummary, unknown>> = {};
  for (const field of SUMMARY_FIELDS) if (next[field] !== probe[field]) patch[field] = next[field] ?? null;
  return patch;
}
