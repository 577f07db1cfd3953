/**
 * Checks of what callers pass in, before anything is read or written: a bad argument gets a
 * WorldError naming the call and the value (the PostgreSQL world words them the same way), and
 * nothing is stored half-way.
 */
import {
  type AppendOptions,
  type EnqueueOptions,
  type EventType,
  LOG_FORMAT_VERSION,
  type NewEvent,
  type RunStatus,
  type WorkflowEvent,
  WorldError,
} from "@hookline/core/world";

/** Letters, digits, `_` and `-`, then also `.`; at most 200 characters. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(["pending", "running", "completed", "failed", "cancelled"]);

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  "run_created",
  "run_started",
  "run_completed",
  "run_failed",
  "run_cancelled",
  "step_started",
  "step_completed",
  "step_failed",
  "sleep_started",
  "sleep_completed",
  "hook_created",
  "hook_conflicted",
  "hook_received",
  "hook_rejected",
  "hook_disposed",
  "hook_timed_out",
  "webhook_responded",
]);

/** Events whose `corr` names a hook, which becomes a key segment. */
const HOOK_EVENTS: ReadonlySet<string> = new Set<EventType>([
  "hook_created",
  "hook_conflicted",
  "hook_received",
  "hook_rejected",
  "hook_disposed",
  "hook_timed_out",
]);

export function fail(message: string): never {
  throw new WorldError(`Local world: ${message}`);
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** An id that becomes one segment of a storage key (a file name with the fs driver). */
export function checkId(what: string, value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0) fail(`${where}: ${what} must be a non-empty string, got ${describe(value)}`);
  if (!SEGMENT.test(value)) {
    fail(
      `${where}: ${what} ${describe(value)} cannot be stored: use at most 200 letters, digits, "_", "-" or "." (not first), so it names no path outside the world's directory`,
    );
  }
  return value;
}

export const checkRunId = (runId: unknown, where: string) => checkId("the run id", runId, where);
export const checkTokenHash = (tokenHash: unknown, where: string) => checkId("the token hash", tokenHash, where);

export interface CheckedAppend {
  expectedSeq: number;
  /** The event as readEvents will return it (parsed back from `text`). */
  stored: WorkflowEvent;
  /** Its JSON, as stored. */
  text: string;
  wake: { delayMs: number; key?: string } | undefined;
}

export function checkAppend(runId: string, event: NewEvent, options: AppendOptions): CheckedAppend {
  const where = `append to run ${runId}`;
  if (typeof event !== "object" || event === null) fail(`${where}: the event must be an object { type, at, data }, got ${describe(event)}`);
  if (typeof event.type !== "string" || !EVENT_TYPES.has(event.type)) fail(`${where}: unknown event type ${describe(event.type)}`);
  if (typeof event.at !== "number" || !Number.isFinite(event.at)) fail(`${where}: ${event.type}.at must be a timestamp in ms, got ${describe(event.at)}`);
  if (typeof event.data !== "object" || event.data === null || Array.isArray(event.data)) {
    fail(`${where}: ${event.type}.data must be an object, got ${describe(event.data)}`);
  }
  if (event.corr !== undefined && typeof event.corr !== "string") fail(`${where}: ${event.type}.corr must be a string, got ${describe(event.corr)}`);
  if (typeof options !== "object" || options === null) fail(`${where}: options { expectedSeq } are required, got ${describe(options)}`);
  const { expectedSeq } = options;
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) fail(`${where}: expectedSeq must be a non-negative integer, got ${describe(expectedSeq)}`);
  if (event.type === "run_created" && expectedSeq !== 0) {
    fail(`${where}: run_created must be a run's first event (expectedSeq 0), got expectedSeq ${expectedSeq}`);
  }
  if (event.type !== "run_created" && expectedSeq === 0) fail(`${where}: a run's first event must be run_created, got ${event.type}`);
  if (event.type === "hook_created") checkTokenHash(event.data.tokenHash, `${where} (hook_created)`);
  if (HOOK_EVENTS.has(event.type)) checkId(`${event.type}'s corr (the hook id)`, event.corr, where);
  const wake = options.wake === undefined ? undefined : checkEnqueue(options.wake, `${where} (wake)`);

  const record: Record<string, unknown> = { v: LOG_FORMAT_VERSION, runId, seq: expectedSeq + 1, type: event.type };
  if (event.corr !== undefined) record.corr = event.corr;
  record.at = event.at;
  record.data = event.data;
  let text: string;
  try {
    text = JSON.stringify(record);
  } catch (error) {
    throw new WorldError(`Local world: ${where}: ${event.type}.data is not JSON (${(error as Error).message}); events hold serialized values only.`, {
      cause: error,
    });
  }
  return { expectedSeq, stored: JSON.parse(text) as WorkflowEvent, text, wake };
}

export function checkAfterSeq(afterSeq: unknown, runId: string): number {
  if (!Number.isSafeInteger(afterSeq) || (afterSeq as number) < 0) fail(`readEvents(${runId}): afterSeq must be a non-negative integer, got ${describe(afterSeq)}`);
  return afterSeq as number;
}

export function checkListRuns(statuses: unknown[], limit: unknown, workflowId: unknown): void {
  for (const status of statuses) {
    if (typeof status !== "string" || !RUN_STATUSES.has(status)) fail(`listRuns: unknown status ${describe(status)}; use ${[...RUN_STATUSES].join(", ")}`);
  }
  if (!Number.isSafeInteger(limit) || (limit as number) < 1) fail(`listRuns: limit must be a positive integer, got ${describe(limit)}`);
  if (workflowId !== undefined && typeof workflowId !== "string") fail(`listRuns: workflowId must be a string, got ${describe(workflowId)}`);
}

export function checkHookStatus(status: unknown): void {
  if (status !== undefined && status !== "active" && status !== "ended") fail(`listHooks: status must be "active" or "ended", got ${describe(status)}`);
}

export function checkFunction(value: unknown, where: string): void {
  if (typeof value !== "function") fail(`${where} must be a function, got ${describe(value)}`);
}

/** Validates enqueue options; the delay is clamped to ≥ 0. */
export function checkEnqueue(options: EnqueueOptions | undefined, where: string): { delayMs: number; key?: string } {
  if (options === undefined) return { delayMs: 0 };
  if (typeof options !== "object" || options === null) fail(`${where}: options must be an object { delayMs?, key? }, got ${describe(options)}`);
  const { delayMs = 0, key } = options;
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs)) fail(`${where}: delayMs must be a finite number of milliseconds, got ${describe(delayMs)}`);
  if (key !== undefined && (typeof key !== "string" || key.length === 0)) fail(`${where}: key must be a non-empty string, got ${describe(key)}`);
  return key === undefined ? { delayMs: Math.max(0, delayMs) } : { delayMs: Math.max(0, delayMs), key };
}
