/**
 * The event log: the single source of truth for a run. Every state change of a run is one
 * event appended atomically at the next sequence number; run, step and hook state are
 * derived from the events (see ARCHITECTURE.md for how a run moves).
 *
 * `corr` is the correlation id of the workflow operation an event belongs to: the n-th
 * operation (step call, sleep, hook) a workflow makes gets `corr = "o<n>"`, the same in
 * every replay, which is how replay matches recorded results to calls.
 */

import type { VerifyOptions } from "../shared/verify-options.js";

/** Bumped when an event's shape changes incompatibly; each event carries the version it was written with. */
export const LOG_FORMAT_VERSION = 1;

/** A value after serialization: JSON-safe (see shared/serialization). */
export type Serialized = unknown;

export type RunStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export interface WebhookConfig {
  /** `undefined` → 202; `"manual"` → a step answers; otherwise a serialized static Response. */
  respondWith?: "manual" | Serialized;
  methods: string[];
  maxBodyBytes: number;
  /** Header names whose value identifies a delivery, tried in order; `false` turns dedupe off. */
  dedupe: string[] | false;
  /** Signature verification preset and its options (secrets are referenced by env name, never stored). */
  verify?: VerifyOptions;
  /** How long a manual-response caller waits before `504`, ms. */
  responseTimeoutMs?: number;
}

export interface EventDataMap {
  run_created: {
    workflowId: string;
    args: Serialized;
    /** Seeds the sandbox's Math.random and crypto. */
    seed: string;
    /** Origin webhook URLs are built from, fixed for the run so replay rebuilds the same URLs. */
    origin?: string;
    /** Webhook URLs end with "/" (an app with Next's trailingSlash), fixed for the run like origin. */
    trailingSlash?: boolean;
    deploymentId?: string;
    /** The workflow bundle (its content id, see bundles.ts) that started the run: replay uses its code. Absent on runs older than bundle ids. */
    bundleId?: string;
    /** start({ idempotencyKey }): the world keeps one run per key (see World.append). */
    idempotencyKey?: string;
    /** When the key may start a new run (ms); absent: never. */
    idempotencyKeyExpiresAt?: number;
    /** A child run: the run whose workflow started it (see child_started). */
    parentRunId?: string;
    /** A rerun (the inspector's "Rerun", rerun()): the run whose workflow and arguments it repeats. */
    rerunOf?: string;
    /** start({ concurrency }): at most `limit` runs sharing `key` execute steps at once (see World.slots). */
    concurrency?: { key: string; limit: number };
  };
  run_started: Record<string, never>;
  /** `patched(patchId)` first reached on code that has it (no corr: it takes no operation number). */
  patch_marked: { patchId: string };
  /** upgradeRun(): the run replays with bundle `bundleId` from here on (its log replayed cleanly on it). */
  run_upgraded: { bundleId: string; from?: string };
  run_completed: { result: Serialized };
  run_failed: { error: Serialized };
  run_cancelled: { reason?: string };

  step_started: { stepId: string; attempt: number; args?: Serialized };
  step_completed: { stepId: string; result: Serialized };
  /** `retryAt` set → another attempt is due then; absent → the step failed for good. */
  step_failed: { stepId: string; attempt: number; error: Serialized; retryAt?: number };

  sleep_started: { until: number };
  /** `early`: woken before its `until` with wakeSleep() (the inspector's "Wake now"). */
  sleep_completed: { early?: true };

  hook_created: {
    kind: "hook" | "webhook";
    /** SHA-256 (hex) of the token; the token itself is never stored. */
    tokenHash: string;
    /** Id of the secret a webhook token was derived with, so rotation keeps old URLs working. */
    keyId?: string;
    /** The id of the defineHook({ id }) definition that created it: its schema checks payloads resumed by token. */
    definition?: string;
    metadata?: Serialized;
    expiresAt?: number;
    webhook?: WebhookConfig;
  };
  /** The requested token is held by another active wait; awaiting the hook throws HookConflictError. */
  hook_conflicted: { heldBy: string };
  hook_received: { payload: Serialized; requestId?: string; dedupeKey?: string };
  hook_rejected: { error: Serialized };
  hook_disposed: Record<string, never>;
  hook_timed_out: Record<string, never>;
  webhook_responded: { requestId: string; response: Serialized; late?: boolean };

  /** The workflow's `start(child, args)` created run `childRunId` (idempotency key "<parent run id>/<corr>"). */
  child_started: { workflowId: string; childRunId: string; detached?: boolean };
  /** The child run ended; its end event's outcome, copied so replay never reads the child's log. */
  child_ended: {
    childRunId: string;
    status: "completed" | "failed" | "cancelled";
    result?: Serialized;
    error?: Serialized;
    reason?: string;
  };
}

export type EventType = keyof EventDataMap;

/** What the runtime asks a world to append. */
export type NewEvent = {
  [T in EventType]: { type: T; corr?: string; at: number; data: EventDataMap[T] };
}[EventType];

/** An event as stored: a NewEvent plus its position in the run's log. */
export type WorkflowEvent = NewEvent & { v: number; runId: string; seq: number };

export type EventOf<T extends EventType> = Extract<WorkflowEvent, { type: T }>;

export const TERMINAL_RUN_EVENTS: ReadonlySet<EventType> = new Set(["run_completed", "run_failed", "run_cancelled"]);
/** Events after which a hook accepts nothing more. */
export const HOOK_END_EVENTS: ReadonlySet<EventType> = new Set(["hook_disposed", "hook_timed_out", "hook_conflicted"]);

/** True if `event` ends hook `hookId`: its own end, or its run's. */
export function endsHook(event: WorkflowEvent, hookId: string): boolean {
  return TERMINAL_RUN_EVENTS.has(event.type) || (HOOK_END_EVENTS.has(event.type) && event.corr === hookId);
}
