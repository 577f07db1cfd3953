/**
 * Checks every world makes of what callers pass in, before anything is read or written, so a
 * bad argument gets the same WorldError in every world: naming the world, the call and the
 * value. Worlds add their own (e.g. the local world's file-safe ids) on top.
 */
import { WorldError } from "../shared/errors.js";
import type { EventType, NewEvent, RunStatus } from "./events.js";
import { NAMESPACE_PATTERN } from "./streams.js";
import type { AppendOptions, EnqueueOptions, ListRefusalsOptions, NewRefusal, SlotRequest } from "./world.js";

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  "pending",
  "running",
  "completed",
  "failed",
  "cancelled",
]);

export const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  "run_created",
  "run_started",
  "patch_marked",
  "run_upgraded",
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
  "child_started",
  "child_ended",
]);

/** A value as an error message shows it. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** A run's recorded concurrency option: `{ key, limit }` with a non-empty key and a whole limit ≥ 1. */
export function isConcurrency(value: unknown): value is { key: string; limit: number } {
  if (typeof value !== "object" || value === null) return false;
  const { key, limit } = value as { key?: unknown; limit?: unknown };
  return typeof key === "string" && key.length > 0 && Number.isSafeInteger(limit) && (limit as number) >= 1;
}

/** The checks, with messages that start with `<world>:` (e.g. "Local world", "PostgreSQL world"). */
export function worldChecks(world: string) {
  const fail = (message: string): never => {
    throw new WorldError(`${world}: ${message}`);
  };

  return {
    fail,

    checkRunId(runId: unknown, where: string): string {
      if (typeof runId !== "string" || runId.length === 0)
        fail(`${where}: the run id must be a non-empty string, got ${describe(runId)}`);
      return runId as string;
    },

    checkTokenHash(tokenHash: unknown, where: string): string {
      if (typeof tokenHash !== "string" || tokenHash.length === 0)
        fail(`${where}: the token hash must be a non-empty string, got ${describe(tokenHash)}`);
      return tokenHash as string;
    },

    /** The shape of an append; returns its expectedSeq. */
    checkAppend(runId: string, event: NewEvent, options: AppendOptions | undefined): number {
      const where = `append to run ${runId}`;
      if (typeof event !== "object" || event === null)
        fail(`${where}: the event must be an object { type, at, data }, got ${describe(event)}`);
      if (typeof event.type !== "string" || !EVENT_TYPES.has(event.type))
        fail(`${where}: unknown event type ${describe(event.type)}`);
      if (typeof event.at !== "number" || !Number.isFinite(event.at))
        fail(`${where}: ${event.type}.at must be a timestamp in ms, got ${describe(event.at)}`);
      if (typeof event.data !== "object" || event.data === null || Array.isArray(event.data)) {
        fail(`${where}: ${event.type}.data must be an object, got ${describe(event.data)}`);
      }
      if (event.corr !== undefined && typeof event.corr !== "string")
        fail(`${where}: ${event.type}.corr must be a string, got ${describe(event.corr)}`);
      if (typeof options !== "object" || options === null)
        fail(`${where}: options { expectedSeq } are required, got ${describe(options)}`);
      const { expectedSeq } = options!;
      if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0)
        fail(`${where}: expectedSeq must be a non-negative integer, got ${describe(expectedSeq)}`);
      if (event.type === "run_created" && expectedSeq !== 0) {
        fail(`${where}: run_created must be a run's first event (expectedSeq 0), got expectedSeq ${expectedSeq}`);
      }
      if (event.type !== "run_created" && expectedSeq === 0)
        fail(`${where}: a run's first event must be run_created, got ${event.type}`);
      if (
        event.type === "hook_created" &&
        (typeof event.data.tokenHash !== "string" || event.data.tokenHash.length === 0)
      ) {
        fail(
          `${where} (hook_created): the token hash must be a non-empty string, got ${describe(event.data.tokenHash)}`,
        );
      }
      if (event.type.startsWith("hook_") && !event.corr) fail(`${where}: ${event.type} needs the hook's corr`);
      if (event.type === "run_created") {
        const { idempotencyKey, idempotencyKeyExpiresAt } = event.data;
        if (idempotencyKey !== undefined && (typeof idempotencyKey !== "string" || idempotencyKey.length === 0)) {
          fail(`${where} (run_created): idempotencyKey must be a non-empty string, got ${describe(idempotencyKey)}`);
        }
        if (
          idempotencyKeyExpiresAt !== undefined &&
          (idempotencyKey === undefined ||
            typeof idempotencyKeyExpiresAt !== "number" ||
            !Number.isFinite(idempotencyKeyExpiresAt))
        ) {
          fail(
            `${where} (run_created): idempotencyKeyExpiresAt must be a timestamp in ms beside an idempotencyKey, got ${describe(idempotencyKeyExpiresAt)}`,
          );
        }
        const { concurrency } = event.data;
        if (concurrency !== undefined && !isConcurrency(concurrency)) {
          fail(
            `${where} (run_created): concurrency must be { key: non-empty string, limit: integer ≥ 1 }, got ${describe(concurrency)}`,
          );
        }
      }
      return expectedSeq;
    },

    checkAfterSeq(afterSeq: unknown, runId: string): number {
      if (!Number.isSafeInteger(afterSeq) || (afterSeq as number) < 0)
        fail(`readEvents(${runId}): afterSeq must be a non-negative integer, got ${describe(afterSeq)}`);
      return afterSeq as number;
    },

    checkListRuns(statuses: unknown[], limit: unknown, workflowId: unknown, before?: unknown, rerunOf?: unknown): void {
      if (rerunOf !== undefined && typeof rerunOf !== "string")
        fail(`listRuns: rerunOf must be a run id (a string), got ${describe(rerunOf)}`);
      if (before !== undefined) {
        const cursor = before as { createdAt?: unknown; runId?: unknown } | null;
        if (
          typeof cursor !== "object" ||
          cursor === null ||
          !Number.isFinite(cursor.createdAt) ||
          typeof cursor.runId !== "string"
        ) {
          fail(`listRuns: before must be { createdAt: number, runId: string }, got ${describe(before)}`);
        }
      }
      for (const status of statuses) {
        if (typeof status !== "string" || !RUN_STATUSES.has(status))
          fail(`listRuns: unknown status ${describe(status)}; use ${[...RUN_STATUSES].join(", ")}`);
      }
      if (!Number.isSafeInteger(limit) || (limit as number) < 1)
        fail(`listRuns: limit must be a positive integer, got ${describe(limit)}`);
      if (workflowId !== undefined && typeof workflowId !== "string")
        fail(`listRuns: workflowId must be a string, got ${describe(workflowId)}`);
    },

    checkCountRuns(workflowId: unknown): void {
      if (workflowId !== undefined && typeof workflowId !== "string")
        fail(`countRuns: workflowId must be a string, got ${describe(workflowId)}`);
    },

    checkHookStatus(status: unknown): void {
      if (status !== undefined && status !== "active" && status !== "ended")
        fail(`listHooks: status must be "active" or "ended", got ${describe(status)}`);
    },

    /** A non-empty string argument (a hook id, a dedupe key, a request id). */
    /** A slot request { key, limit, runId, owner }. */
    checkSlotRequest(request: unknown): SlotRequest {
      const where = "slots.acquire";
      if (typeof request !== "object" || request === null)
        fail(`${where}: the request must be { key, limit, runId, owner }, got ${describe(request)}`);
      const { key, limit, runId, owner } = request as Partial<SlotRequest>;
      for (const [name, value] of [
        ["key", key],
        ["runId", runId],
        ["owner", owner],
      ] as const) {
        if (typeof value !== "string" || value.length === 0)
          fail(`${where}: ${name} must be a non-empty string, got ${describe(value)}`);
      }
      if (!Number.isSafeInteger(limit) || (limit as number) < 1)
        fail(`${where}: limit must be an integer ≥ 1, got ${describe(limit)}`);
      return request as SlotRequest;
    },

    /** The runs of slots.renew: [{ key, runId }]. */
    checkHeldSlots(held: unknown): Array<{ key: string; runId: string }> {
      if (!Array.isArray(held)) fail(`slots.renew: held must be an array of { key, runId }, got ${describe(held)}`);
      for (const slot of held as Array<{ key?: unknown; runId?: unknown } | null>) {
        if (
          typeof slot?.key !== "string" ||
          slot.key.length === 0 ||
          typeof slot.runId !== "string" ||
          slot.runId.length === 0
        ) {
          fail(`slots.renew: each held slot must be { key, runId } with non-empty strings, got ${describe(slot)}`);
        }
      }
      return held as Array<{ key: string; runId: string }>;
    },

    checkText(value: unknown, what: string, where: string): string {
      if (typeof value !== "string" || value.length === 0)
        fail(`${where}: ${what} must be a non-empty string, got ${describe(value)}`);
      return value as string;
    },

    checkRefusal(refusal: NewRefusal): void {
      const where = "recordRefusal";
      if (typeof refusal !== "object" || refusal === null)
        fail(`${where}: the refusal must be an object, got ${describe(refusal)}`);
      for (const field of ["runId", "hookId", "reason", "method"] as const) {
        if (typeof refusal[field] !== "string" || refusal[field].length === 0)
          fail(`${where}: ${field} must be a non-empty string, got ${describe(refusal[field])}`);
      }
      if (!Number.isInteger(refusal.status) || refusal.status < 100 || refusal.status > 599)
        fail(`${where}: status must be an HTTP status, got ${describe(refusal.status)}`);
      if (typeof refusal.at !== "number" || !Number.isFinite(refusal.at))
        fail(`${where}: at must be a timestamp in ms, got ${describe(refusal.at)}`);
      if (!Number.isSafeInteger(refusal.count) || refusal.count < 1)
        fail(`${where}: count must be a positive integer, got ${describe(refusal.count)}`);
      const headersOk =
        Array.isArray(refusal.headers) &&
        refusal.headers.every(
          (h) => Array.isArray(h) && h.length === 2 && typeof h[0] === "string" && typeof h[1] === "string",
        );
      if (!headersOk) fail(`${where}: headers must be a list of [name, value] string pairs`);
      if (refusal.address !== undefined && typeof refusal.address !== "string")
        fail(`${where}: address must be a string, got ${describe(refusal.address)}`);
    },

    /** listRefusals' options, with the default limit. */
    checkListRefusals(options: ListRefusalsOptions | undefined): { runId?: string; hookId?: string; limit: number } {
      const { runId, hookId, limit = 100 } = options ?? {};
      if (runId !== undefined && (typeof runId !== "string" || runId.length === 0))
        fail(`listRefusals: runId must be a non-empty string, got ${describe(runId)}`);
      if (hookId !== undefined) {
        if (typeof hookId !== "string" || hookId.length === 0)
          fail(`listRefusals: hookId must be a non-empty string, got ${describe(hookId)}`);
        if (runId === undefined) fail("listRefusals: a hookId is unique only within its run: pass runId with it");
      }
      if (!Number.isSafeInteger(limit) || limit < 1)
        fail(`listRefusals: limit must be a positive integer, got ${describe(limit)}`);
      return { ...(runId === undefined ? {} : { runId }), ...(hookId === undefined ? {} : { hookId }), limit };
    },

    /** A stream's namespace: a name the world can use in keys and paths. */
    checkNamespace(namespace: unknown, where: string): string {
      if (typeof namespace !== "string" || !NAMESPACE_PATTERN.test(namespace)) {
        fail(
          `${where}: the stream namespace must be 1–100 letters, digits, "_", "-" or ".", got ${describe(namespace)}`,
        );
      }
      return namespace as string;
    },

    /** The chunks of a stream write: a non-empty list of strings. */
    checkChunks(chunks: unknown, where: string): string[] {
      if (!Array.isArray(chunks) || chunks.length === 0 || !chunks.every((chunk) => typeof chunk === "string")) {
        fail(`${where}: the chunks must be a non-empty list of strings, got ${describe(chunks)}`);
      }
      return chunks as string[];
    },

    /** A chunk index to read from (≥ 0) and how many to read at most (default 1,000). */
    checkRead(startIndex: unknown, limit: unknown, where: string): { startIndex: number; limit: number } {
      if (!Number.isSafeInteger(startIndex) || (startIndex as number) < 0)
        fail(`${where}: startIndex must be a non-negative integer, got ${describe(startIndex)}`);
      const max = limit ?? 1_000;
      if (!Number.isSafeInteger(max) || (max as number) < 1)
        fail(`${where}: limit must be a positive integer, got ${describe(limit)}`);
      return { startIndex: startIndex as number, limit: max as number };
    },

    checkFunction(value: unknown, where: string): void {
      if (typeof value !== "function") fail(`${where} must be a function, got ${describe(value)}`);
    },

    /** Enqueue options, with the delay clamped to ≥ 0. */
    checkEnqueue(options: EnqueueOptions | undefined, where: string): { delayMs: number; key?: string; settle?: true } {
      if (options === undefined) return { delayMs: 0 };
      if (typeof options !== "object" || options === null)
        fail(`${where}: options must be an object { delayMs?, key?, settle? }, got ${describe(options)}`);
      const { delayMs = 0, key, settle } = options;
      if (typeof delayMs !== "number" || !Number.isFinite(delayMs))
        fail(`${where}: delayMs must be a finite number of milliseconds, got ${describe(delayMs)}`);
      if (key !== undefined && (typeof key !== "string" || key.length === 0))
        fail(`${where}: key must be a non-empty string, got ${describe(key)}`);
      if (settle !== undefined && typeof settle !== "boolean")
        fail(`${where}: settle must be a boolean, got ${describe(settle)}`);
      return {
        delayMs: Math.max(0, delayMs),
        ...(key === undefined ? {} : { key }),
        ...(settle ? { settle: true as const } : {}),
      };
    },
  };
}
