/**
 * The World: storage + queue behind the runtime. The runtime depends only on this interface;
 * every implementation (world-local, world-postgres) passes @hookline/world-testing unchanged.
 */

import type { WorldBundles } from "./bundles.js";
import type { EventOf, EventType, NewEvent, RunStatus, Serialized, WebhookConfig, WorkflowEvent } from "./events.js";
import type { WorldSchedules } from "./schedules.js";
import type { WorldStreams } from "./streams.js";

/** A run as derived from its log (see projection.ts); kept by the world beside the log. */
export interface RunSummary {
  runId: string;
  workflowId: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Sequence number of the run's last event. */
  lastSeq: number;
  /** The run that started this one with `start()` in its workflow (a child run). */
  parentRunId?: string;
  /** The run this one reruns (same workflow and arguments; see host/rerun.ts). */
  rerunOf?: string;
}

/** A hook as derived from its run's log; looked up by token hash in O(1). */
export interface HookRecord {
  tokenHash: string;
  runId: string;
  /** The hook's correlation id in its run (`corr` of hook_created). */
  hookId: string;
  kind: "hook" | "webhook";
  status: "active" | "ended";
  createdAt: number;
  expiresAt?: number;
  endedAt?: number;
  keyId?: string;
  metadata?: Serialized;
  webhook?: WebhookConfig;
}

/** A webhook delivery recorded with a dedupe key (`hook_received` with `data.dedupeKey`). */
export interface RecordedDelivery {
  runId: string;
  hookId: string;
  dedupeKey: string;
  requestId: string;
  /** The seq of its `hook_received`. */
  seq: number;
}

/**
 * A delivery the webhook route refused for a known webhook (401, 405, 408, 410, 413, 429 …).
 * Kept outside the run's log, bounded per hook, never with a body or a raw token; identical
 * refusals in a row are one entry with a count.
 */
export interface RefusedDelivery {
  runId: string;
  hookId: string;
  status: number;
  /** Why, in words (e.g. "The request's signature could not be verified."). */
  reason: string;
  method: string;
  /** The request's headers, the token redacted. */
  headers: [string, string][];
  /** The caller's address as the route derived it, when known. */
  address?: string;
  /** When the first and the last of the coalesced refusals happened (ms). */
  firstAt: number;
  lastAt: number;
  /** How many refusals this entry stands for. */
  count: number;
}

/** What the runtime asks a world to keep of a refusal: `count` of them at `at` (coalesced in memory first). */
export interface NewRefusal {
  runId: string;
  hookId: string;
  status: number;
  reason: string;
  method: string;
  headers: [string, string][];
  address?: string;
  at: number;
  count: number;
}

/** The most refusals a world keeps per hook; older ones are dropped. */
export const MAX_REFUSALS_PER_HOOK = 50;

export interface ListRefusalsOptions {
  runId?: string;
  /** A hook id is unique within its run: needs `runId`. */
  hookId?: string;
  /** Newest first (by last occurrence); at most this many (default 100). */
  limit?: number;
}

export type AppendListener = (runId: string, seq: number, type?: EventType) => void;

export interface QueueMessage {
  /**
   * The run to drive: replay its new events and do its due work. Or a schedule's timer
   * (`wsch_…`, see host/scheduler.ts): worlds store and deliver both alike.
   */
  runId: string;
}

export interface EnqueueOptions {
  /** Deliver no earlier than this many ms from now (durable: survives restarts). */
  delayMs?: number;
  /**
   * Idempotency key: while a message with this key waits undelivered, enqueueing another with
   * the same key does nothing. A message already handed to a consumer does not count.
   */
  key?: string;
  /**
   * A safety net for work the enqueuing process does in memory (a warm run driven at once): its
   * delay only gives that process time. A world that loads it from storage after a restart may
   * deliver it at once instead (the local world does).
   */
  settle?: boolean;
}

export interface Delivery {
  id: string;
  /** 1 on first delivery; more after a failed handler or an expired lease. */
  attempt: number;
}

/** Resolves → the message is done (deleted). Rejects → it is redelivered later. */
export type QueueHandler = (message: QueueMessage, delivery: Delivery) => Promise<void>;

export interface Consumer {
  stop(): Promise<void>;
}

export interface WorldQueue {
  enqueue(message: QueueMessage, options?: EnqueueOptions): Promise<void>;
  /**
   * Start delivering due messages to `handler`, at most `concurrency` at a time. A message
   * whose handler is still running is leased to this consumer; if the process dies, the lease
   * expires and the message is delivered again (at-least-once).
   */
  consume(handler: QueueHandler, options?: { concurrency?: number }): Consumer;
}

/**
 * A run's request for a concurrency slot: at most `limit` runs sharing `key` hold one at a time.
 * `owner` names the runtime driving the run (one per process), which renews the slot's lease.
 */
export interface SlotRequest {
  key: string;
  limit: number;
  runId: string;
  owner: string;
}

/** granted: the run holds a slot now. Otherwise it is in line, and is woken (enqueued) when it gets one. */
export type SlotAnswer = { granted: true } | { granted: false; retryInMs: number | null };

/** Who holds and who waits for a key's slots (diagnostics and tests). */
export interface SlotState {
  /** Runs holding a slot; `owner` undefined: granted to the run, not yet taken by a runtime. */
  holders: Array<{ runId: string; owner?: string; leaseUntil: number }>;
  /** Runs in line, first in line first. */
  waiters: Array<{ runId: string; limit: number }>;
}

/**
 * Concurrency slots: per key, a set of holders and a line of waiters (FIFO), kept by the world so
 * every process and instance sees one set. A holder's slot is leased: its runtime renews it while
 * the run executes steps; a slot whose lease ran out (its process died) goes back to its run at its
 * old place in line, so a killed run resumes before later ones.
 */
export interface WorldSlots {
  /** How long a slot stays held without renewal (ms); runtimes renew at a third of it. */
  readonly leaseMs: number;
  /**
   * Grants `request.runId` a slot if it holds one already (for this owner, or granted and not yet
   * taken), or if it is first in line with a free slot (the limit counted with the waiter's own
   * `limit`); otherwise puts it in line (keeping its place if it is there already). When not
   * granted, `retryInMs` is when the earliest holder's lease ends (null: none): the caller asks again
   * then, so a slot of a dead process comes back even when nobody releases. Runs granted a slot
   * by this call's housekeeping other than the caller are enqueued (woken).
   */
  acquire(request: SlotRequest): Promise<SlotAnswer>;
  /** Gives the run's slot back (if `owner` holds it, or nobody took it yet) and takes it out of line; wakes whoever gets the slot. */
  release(key: string, runId: string, owner: string): Promise<void>;
  /** Extends the leases `owner` holds for these runs; returns the ones it no longer holds. */
  renew(owner: string, held: Array<{ key: string; runId: string }>): Promise<Array<{ key: string; runId: string }>>;
  inspect(key: string): Promise<SlotState>;
}

export interface AppendOptions {
  /** The caller's view of the log's last seq; the event is stored at expectedSeq + 1 or not at all. */
  expectedSeq: number;
  /** Also enqueue a drive of this run, atomically with the append (or before it: a spare drive is harmless). */
  wake?: EnqueueOptions;
}

export interface ListRunsOptions {
  status?: RunStatus | RunStatus[];
  workflowId?: string;
  /** Only the reruns of this run (run_created's `rerunOf`), found through an index, never by reading logs. */
  rerunOf?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
  /** Cursor: only runs strictly older than this one in the list's order (createdAt desc, runId desc). */
  before?: { createdAt: number; runId: string };
}

/** How many runs of one workflow have one status (countRuns). */
export interface RunCount {
  workflowId: string;
  status: RunStatus;
  count: number;
}

export interface World {
  readonly name: string;
  /** Validate configuration, connect, migrate. Fails with a clear WorldError on bad config. */
  start(): Promise<void>;
  close(): Promise<void>;

  /**
   * Append one event to a run's log atomically, updating the run summary and hook index in
   * the same atomic step (or so that they are re-derivable from the log after a crash).
   * - throws EventConflictError when seq `expectedSeq + 1` is taken (another writer won);
   * - for `hook_created`, throws HookConflictError (message names the holding run, `heldBy` is
   *   its id) when the token hash is held by another active hook; the event is then not appended;
   * - for `hook_received` with `data.dedupeKey`, throws DuplicateDeliveryError (naming the first
   *   delivery's requestId and seq) when the run's log already holds a `hook_received` for the
   *   same hook and key, checked before the hook's state and in the same atomic step as the
   *   append, by an index (never by reading the log);
   * - for `hook_received` / `hook_rejected`, throws HookNotFoundError when the hook `corr` names
   *   is not active (disposed, timed out, run ended): a payload racing the hook's end is either
   *   recorded before the end or refused, never recorded after it;
   * - `run_created` must be appended with expectedSeq 0 and creates the run;
   * - for `run_created` with `data.idempotencyKey`, throws DuplicateStartError (naming the run that
   *   holds the key) when a run created with that key holds it still (its
   *   `idempotencyKeyExpiresAt` is absent or later than this event's `at`); otherwise the new run
   *   takes the key — atomically with its creation, through an index (never by listing runs), so
   *   concurrent starts with one key, in any number of processes, create exactly one run.
   */
  append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent>;
  /** Events with seq > afterSeq (default 0), in order. */
  readEvents(runId: string, afterSeq?: number): Promise<WorkflowEvent[]>;

  getRun(runId: string): Promise<RunSummary | null>;
  /** Served by an index: reads what the page needs, never every run. */
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]>;
  /**
   * Runs per workflow and status (only counts above 0), from counters the world keeps as runs
   * are created and change status: never by reading every run. With `workflowId`, that
   * workflow's only.
   */
  countRuns(options?: { workflowId?: string }): Promise<RunCount[]>;

  /** The hook holding this token hash, active or most recently ended; null if none. O(1). */
  getHook(tokenHash: string): Promise<HookRecord | null>;
  listHooks(options?: { runId?: string; status?: HookRecord["status"] }): Promise<HookRecord[]>;

  /** The delivery recorded for this hook with this dedupe key, from the index (never a log scan); null if none. */
  getDelivery(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null>;
  /** The first `webhook_responded` of the run for `requestId`, from an index; null if none. */
  getResponse(runId: string, requestId: string): Promise<EventOf<"webhook_responded"> | null>;

  /**
   * Keeps a refused delivery beside (never in) the run's log: merged into the hook's newest
   * entry when status, reason and method match it (count added, lastAt moved), else added as a
   * new entry, dropping the oldest beyond MAX_REFUSALS_PER_HOOK.
   */
  recordRefusal(refusal: NewRefusal): Promise<void>;
  listRefusals(options?: ListRefusalsOptions): Promise<RefusedDelivery[]>;

  queue: WorldQueue;

  /** The runs' output streams, stored beside (never in) their logs. */
  streams: WorldStreams;

  /** Concurrency slots of start({ concurrency }). */
  slots: WorldSlots;
  /** Cron schedules (declared and created), by id. */
  schedules: WorldSchedules;
  /** Each build's workflow bundle, by content id (see bundles.ts). */
  bundles: WorldBundles;

  /**
   * Calls `listener` after any process appends to any run, with the event's type (best effort,
   * at-most-once; readers still read the log; the type may be missing from an older instance).
   * Lets a process learn of events appended elsewhere without polling.
   */
  onAppend(listener: AppendListener): () => void;

  /**
   * Calls `listener` when notifications may have been lost (e.g. the connection that carries them
   * from other instances was re-established): whoever waits for an event should read again.
   */
  onResync?(listener: () => void): () => void;

  /** The deployment secret for worlds that keep one themselves (local); shared worlds are configured. */
  loadSecret?(): Promise<string>;
}
