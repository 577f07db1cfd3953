/**
 * The World: storage + queue behind the runtime. The runtime depends only on this interface;
 * every implementation (world-local, world-postgres) passes @hookline/world-testing unchanged.
 */
import type { NewEvent, RunStatus, Serialized, WebhookConfig, WorkflowEvent } from "./events.js";

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

export interface QueueMessage {
  /** The run to drive: replay its new events and do its due work. */
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

export interface AppendOptions {
  /** The caller's view of the log's last seq; the event is stored at expectedSeq + 1 or not at all. */
  expectedSeq: number;
  /** Also enqueue a drive of this run, atomically with the append (or before it: a spare drive is harmless). */
  wake?: EnqueueOptions;
}

export interface ListRunsOptions {
  status?: RunStatus | RunStatus[];
  workflowId?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
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
   * - for `hook_received` / `hook_rejected`, throws HookNotFoundError when the hook `corr` names
   *   is not active (disposed, timed out, run ended): a payload racing the hook's end is either
   *   recorded before the end or refused, never recorded after it;
   * - `run_created` must be appended with expectedSeq 0 and creates the run.
   */
  append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent>;
  /** Events with seq > afterSeq (default 0), in order. */
  readEvents(runId: string, afterSeq?: number): Promise<WorkflowEvent[]>;

  getRun(runId: string): Promise<RunSummary | null>;
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]>;

  /** The hook holding this token hash, active or most recently ended; null if none. O(1). */
  getHook(tokenHash: string): Promise<HookRecord | null>;
  listHooks(options?: { runId?: string; status?: HookRecord["status"] }): Promise<HookRecord[]>;

  queue: WorldQueue;

  /**
   * Calls `listener` after any process appends to any run (best effort, at-most-once; readers
   * still read the log). Lets a process learn of events appended elsewhere without polling.
   */
  onAppend(listener: (runId: string, seq: number) => void): () => void;

  /** The deployment secret for worlds that keep one themselves (local); shared worlds are configured. */
  loadSecret?(): Promise<string>;
}
