/**
 * Checks of what callers pass in, before anything reaches the database: a bad argument gets a
 * WorldError naming the call and the value, the same way in every world.
 */
import { type EnqueueOptions, type NewEvent, type RunStatus, WorldError } from "@hookline/core/world";

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(["pending", "running", "completed", "failed", "cancelled"]);

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function fail(message: string): never {
  throw new WorldError(`PostgreSQL world: ${message}`);
}

export function checkRunId(runId: unknown, where: string): asserts runId is string {
  if (typeof runId !== "string" || runId.length === 0) fail(`${where}: the run id must be a non-empty string, got ${describe(runId)}`);
}

export function checkAppend(runId: string, event: NewEvent, options: { expectedSeq: number } | undefined): void {
  const where = `append to run ${runId}`;
  if (typeof event !== "object" || event === null) fail(`${where}: the event must be an object { type, at, data }, got ${describe(event)}`);
  if (typeof event.type !== "string" || event.type.length === 0) fail(`${where}: the event has no type (got ${describe(event.type)})`);
  if (typeof event.at !== "number" || !Number.isFinite(event.at)) fail(`${where}: ${event.type}.at must be a timestamp in ms, got ${describe(event.at)}`);
  if (typeof event.data !== "object" || event.data === null) fail(`${where}: ${event.type}.data must be an object, got ${describe(event.data)}`);
  if (event.corr !== undefined && typeof event.corr !== "string") fail(`${where}: ${event.type}.corr must be a string, got ${describe(event.corr)}`);
  if (typeof options !== "object" || options === null) fail(`${where}: options { expectedSeq } are required, got ${describe(options)}`);
  const { expectedSeq } = options;
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) fail(`${where}: expectedSeq must be a non-negative integer, got ${describe(expectedSeq)}`);
  if (event.type === "run_created" && expectedSeq !== 0) {
    fail(`${where}: run_created must be a run's first event (expectedSeq 0), got expectedSeq ${expectedSeq}`);
  }
  if (event.type !== "run_created" && expectedSeq === 0) fail(`${where}: a run's first event must be run_created, got ${event.type}`);
  if (event.type === "hook_created") checkTokenHash(event.data.tokenHash, `${where} (hook_created)`);
  if ((event.type === "hook_received" || event.type === "hook_rejected") && !event.corr) fail(`${where}: ${event.type} needs the hook's corr`);
}

export function checkAfterSeq(afterSeq: unknown, runId: string): asserts afterSeq is number {
  if (!Number.isSafeInteger(afterSeq) || (afterSeq as number) < 0) fail(`readEvents(${runId}): afterSeq must be a non-negative integer, got ${describe(afterSeq)}`);
}

export function checkTokenHash(tokenHash: unknown, where: string): asserts tokenHash is string {
  if (typeof tokenHash !== "string" || tokenHash.length === 0) fail(`${where}: the token hash must be a non-empty string, got ${describe(tokenHash)}`);
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

/** Validates enqueue options; returns the delay (ms, ≥ 0) and key (or null). */
export function checkEnqueue(options: EnqueueOptions | undefined, where: string): { delayMs: number; key: string | null } {
  if (options === undefined) return { delayMs: 0, key: null };
  if (typeof options !== "object" || options === null) fail(`${where}: options must be an object { delayMs?, key? }, got ${describe(options)}`);
  const { delayMs = 0, key } = options;
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs)) fail(`${where}: delayMs must be a finite number of milliseconds, got ${describe(delayMs)}`);
  if (key !== undefined && (typeof key !== "string" || key.length === 0)) fail(`${where}: key must be a non-empty string, got ${describe(key)}`);
  return { delayMs: Math.max(0, delayMs), key: key ?? null };
}
