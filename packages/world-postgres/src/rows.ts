/** Table rows ⇄ the World interface's records; optional fields are absent rather than null. */
import type { HookRecord, RefusedDelivery, RunStatus, RunSummary, WorkflowEvent } from "@hookline/core/world";

export interface EventRow {
  seq: number;
  v: number;
  type: WorkflowEvent["type"];
  corr: string | null;
  at: number;
  data: unknown;
}

export interface RunRow {
  run_id: string;
  workflow_id: string;
  status: RunStatus;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  ended_at: number | null;
  last_seq: number;
  /** `[parentRunId, rerunOf]` of its run_created, as JSON text (each null when absent). */
  origin: string | null;
}

export interface HookRow {
  token_hash: string;
  run_id: string;
  hook_id: string;
  kind: HookRecord["kind"];
  status: HookRecord["status"];
  created_at: number;
  expires_at: number | null;
  ended_at: number | null;
  key_id: string | null;
  /** As text, so a stored JSON null stays distinct from no metadata. */
  metadata: string | null;
  webhook: string | null;
}

export interface RefusalRow {
  run_id: string;
  hook_id: string;
  status: number;
  reason: string;
  method: string;
  headers: [string, string][];
  address: string | null;
  first_at: number;
  last_at: number;
  count: number;
}

export const REFUSAL_COLUMNS = "run_id, hook_id, status, reason, method, headers, address, first_at, last_at, count";

export function toRefusal(row: RefusalRow): RefusedDelivery {
  return {
    runId: row.run_id,
    hookId: row.hook_id,
    status: row.status,
    reason: row.reason,
    method: row.method,
    headers: row.headers,
    ...(row.address === null ? {} : { address: row.address }),
    firstAt: row.first_at,
    lastAt: row.last_at,
    count: row.count,
  };
}

export const EVENT_COLUMNS = "seq, v, type, corr, at, data";
/**
 * A run row's columns, and its parent (a child run's) and the run it reruns read from its run_created: one lookup by the
 * events' primary key, so the runs table needs no column for it.
 */
export function runColumns(events: string): string {
  return `run_id, workflow_id, status, created_at, updated_at, started_at, ended_at, last_seq,
    (SELECT jsonb_build_array(e.data->>'parentRunId', e.data->>'rerunOf')::text FROM ${events} AS e WHERE e.run_id = runs.run_id AND e.seq = 1) AS origin`;
}
export const HOOK_COLUMNS =
  "token_hash, run_id, hook_id, kind, status, created_at, expires_at, ended_at, key_id, metadata::text AS metadata, webhook::text AS webhook";

export function toEvent(runId: string, row: EventRow): WorkflowEvent {
  return {
    v: row.v,
    runId,
    seq: row.seq,
    type: row.type,
    ...(row.corr === null ? {} : { corr: row.corr }),
    at: row.at,
    data: row.data,
  } as WorkflowEvent;
}

export function toRun(row: RunRow): RunSummary {
  const summary: RunSummary = {
    runId: row.run_id,
    workflowId: row.workflow_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq,
  };
  if (row.started_at !== null) summary.startedAt = row.started_at;
  if (row.ended_at !== null) summary.endedAt = row.ended_at;
  const [parentRunId, rerunOf] = row.origin ? (JSON.parse(row.origin) as [string | null, string | null]) : [null, null];
  if (parentRunId !== null) summary.parentRunId = parentRunId;
  if (rerunOf !== null) summary.rerunOf = rerunOf;
  return summary;
}

export function toHook(row: HookRow): HookRecord {
  const record: HookRecord = {
    tokenHash: row.token_hash,
    runId: row.run_id,
    hookId: row.hook_id,
    kind: row.kind,
    status: row.status,
    createdAt: row.created_at,
  };
  if (row.expires_at !== null) record.expiresAt = row.expires_at;
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  if (row.key_id !== null) record.keyId = row.key_id;
  if (row.metadata !== null) record.metadata = JSON.parse(row.metadata);
  if (row.webhook !== null) record.webhook = JSON.parse(row.webhook);
  return record;
}
