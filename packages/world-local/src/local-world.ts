/**
 * The local world: runs, hooks and the queue in one directory (or any unstorage driver). See
 * keys.ts for the layout, runs.ts for derived state and crash repair, hook-index.ts for token
 * claims, queue.ts for delivery.
 *
 * An append is: checks in memory (no reads: the caller's expectedSeq and this process's run
 * state decide), then [wake message], then the event created exclusively at its seq, then the
 * derived records; all under the run's in-process lock, so a hook's payload can never be
 * stored after the event that ended the hook. Across processes the exclusive create decides
 * who gets a seq, and a process that finds its view of a run behind reads the newer events first.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type AppendListener,
  type AppendOptions,
  DuplicateDeliveryError,
  type EventOf,
  EventConflictError,
  HookConflictError,
  type HookRecord,
  HookNotFoundError,
  hookIndexChange,
  type ListRefusalsOptions,
  type ListRunsOptions,
  type NewEvent,
  type NewRefusal,
  type RecordedDelivery,
  type RefusedDelivery,
  RunNotFoundError,
  type RunSummary,
  type WorkflowEvent,
  type World,
  WorldError,
} from "@hookline/core/world";
import type { Driver } from "unstorage";
import {
  type CheckedAppend,
  checkAfterSeq,
  checkAppend,
  checkFunction,
  checkHookStatus,
  checkId,
  checkListRefusals,
  checkListRuns,
  checkRefusal,
  checkRunId,
  checkText,
  checkTokenHash,
  describe,
} from "./checks.js";
import { DeliveryIndex } from "./deliveries.js";
import { fsDriver, removeStaleTempDirs } from "./drivers/fs.js";
import { memoryDriver } from "./drivers/memory.js";
import { HookIndex } from "./hook-index.js";
import { eventKey, LAYOUT_KEY, LAYOUT_VERSION, summaryKey } from "./keys.js";
import { type LocalWorldOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { LocalQueue } from "./queue.js";
import { RefusalStore } from "./refusals.js";
import { type RunState, Runs } from "./runs.js";
import { loadOrCreateSecret } from "./secret.js";
import { type SharedStorage, sharedFor } from "./shared.js";
import { Store } from "./store.js";

export class LocalWorld implements World {
  readonly name = "local";
  readonly queue: LocalQueue;
  readonly #options: ResolvedOptions;
  readonly #driver: Driver;
  /** The driver was made here (fs, memory), so close() disposes it; a caller's driver is left alone. */
  readonly #ownsDriver: boolean;
  readonly #store: Store;
  readonly #shared: SharedStorage;
  readonly #runs: Runs;
  readonly #hooks: HookIndex;
  readonly #deliveries: DeliveryIndex;
  readonly #refusals: RefusalStore;
  readonly #listeners = new Set<AppendListener>();
  readonly #appending = new Set<Promise<unknown>>();
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #secret: Promise<string> | null = null;

  constructor(options?: LocalWorldOptions) {
    this.#options = resolveOptions(options);
    const choice = this.#options.driver;
    this.#driver = choice === "fs" ? fsDriver({ base: this.#options.dir, fsync: this.#options.fsync }) : choice === "memory" ? memoryDriver() : choice;
    this.#ownsDriver = typeof choice === "string";
    this.#store = new Store(this.#driver);
    this.#shared = sharedFor(choice === "fs" ? this.#options.dir : this.#driver);
    this.#runs = new Runs(this.#store, this.#shared.runLocks, {
      summaryFlushMs: this.#options.summaryFlushMs,
      maxCachedRuns: this.#options.maxCachedRuns,
      report: this.#options.onError,
    });
    this.#hooks = new HookIndex(this.#store, this.#shared.tokenLocks, async (record) => {
      const holder = await this.#runs.peek(record.runId);
      return holder?.hooks.get(record.hookId)?.status === "active";
    });
    this.#runs.hookIndex = this.#hooks;
    this.#deliveries = new DeliveryIndex(this.#store);
    this.#runs.deliveryIndex = this.#deliveries;
    this.#refusals = new RefusalStore(this.#store);
    this.queue = new LocalQueue({
      store: async () => {
        await this.#ready();
        return this.#store;
      },
      redeliveryDelayMs: this.#options.redeliveryDelayMs,
      maxRedeliveryDelayMs: this.#options.maxRedeliveryDelayMs,
      scanIntervalMs: this.#options.scanIntervalMs,
      report: this.#options.onError,
    });
  }

  /** Where the records are: the data directory, or the driver. */
  get location(): string {
    const choice = this.#options.driver;
    return choice === "fs" ? this.#options.dir : choice === "memory" ? "memory" : `unstorage driver ${choice.name ?? "(unnamed)"}`;
  }

  // -- lifecycle ---------------------------------------------------------------------------------

  /** Checks the directory, repairs what a crash left behind, loads the queue. Idempotent; other calls start the world too. */
  start(): Promise<void> {
    if (this.#closing) return Promise.reject(new WorldError("Local world: start() after close(); create a new world instead."));
    this.#starting ??= this.#start().catch((error) => {
      this.#starting = null;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#options.driver === "fs") {
      prepareDirectory(this.#options.dir);
      removeStaleTempDirs(this.#options.dir);
    }
    await this.#checkLayout();
    // Catch every run's checkpoint up with its log: repairs summaries and hook index entries a
    // crash cut off between an append and its derived writes.
    for (const runId of await this.#runs.runIds()) {
      try {
        await this.#runs.summary(runId);
      } catch (error) {
        this.#options.onError(error, `repairing run ${runId}`);
      }
    }
    await this.#runs.flush();
    await this.queue.load(this.#store);
  }

  async #checkLayout(): Promise<void> {
    const marker = JSON.stringify({ layout: LAYOUT_VERSION });
    if (await this.#store.create(LAYOUT_KEY, marker)) return;
    const found = await this.#store.read<{ layout?: unknown }>(LAYOUT_KEY);
    if (found?.layout !== LAYOUT_VERSION) {
      throw new WorldError(
        `Local world: ${this.location} holds data in layout ${describe(found?.layout)}, and this version of Hookline reads layout ${LAYOUT_VERSION}. Use the Hookline version that wrote it, or another directory.`,
        { code: "HOOKLINE_CONFIG" },
      );
    }
  }

  /**
   * Stops the queue (without waiting for running handlers: their messages stay stored and are
   * delivered again after a restart), waits for appends in flight, writes pending summaries,
   * releases files and timers.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#starting?.catch(() => {});
    await this.queue.close();
    await Promise.allSettled([...this.#appending]);
    for (const listener of this.#listeners) this.#shared.listeners.delete(listener);
    this.#listeners.clear();
    try {
      await this.#runs.close();
    } catch (error) {
      this.#options.onError(error, "writing run summaries on close");
    }
    if (this.#ownsDriver) await this.#driver.dispose?.();
  }

  async #ready(): Promise<void> {
    if (this.#closing) throw new WorldError("Local world: used after close(); create a new world instead.");
    await this.start();
    // close() may have begun while start() was awaited; it only waits for appends it can see.
    if (this.#closing) throw new WorldError("Local world: used after close(); create a new world instead.");
  }

  // -- the log -----------------------------------------------------------------------------------

  async append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent> {
    checkRunId(runId, "append");
    const checked = checkAppend(runId, event, options);
    await this.#ready();
    const appending = this.#runs.withRun(runId, (state) => this.#appendLocked(state, checked));
    this.#appending.add(appending);
    try {
      const stored = await appending;
      this.#emit(runId, stored.seq, stored.type);
      return stored;
    } finally {
      this.#appending.delete(appending);
    }
  }

  async #appendLocked(state: RunState, checked: CheckedAppend): Promise<WorkflowEvent> {
    const { expectedSeq, stored } = checked;
    const { runId } = state;
    // Behind the caller: another process appended; read what it wrote before deciding.
    if (state.lastSeq < expectedSeq) await this.#runs.catchUp(state);
    if (state.lastSeq > expectedSeq) throw conflict(runId, expectedSeq);
    if (state.lastSeq < expectedSeq) {
      if (!state.summary) throw new RunNotFoundError(`No run with id "${runId}": a run's first event must be run_created (appended with expectedSeq 0).`);
      throw new WorldError(`Local world: append to run ${runId}: expectedSeq ${expectedSeq} is past the end of the log, which ends at ${state.lastSeq}.`);
    }
    try {
      // Before the hook's state: a repeat racing the hook's end still learns it is a repeat.
      if (stored.type === "hook_received" && stored.data.dedupeKey) {
        const first = await this.#deliveries.find(runId, stored.corr ?? "", stored.data.dedupeKey);
        if (first) throw duplicate(first);
      }
      if (stored.type === "hook_received" || stored.type === "hook_rejected") {
        const hook = state.hooks.get(stored.corr ?? "");
        if (hook?.status !== "active") {
          throw new HookNotFoundError(
            hook
              ? `Run ${runId}: hook ${hook.hookId} has ended (disposed, timed out, or its run finished), so no ${stored.type} is recorded for it.`
              : `Run ${runId} has no hook ${describe(stored.corr)}, so no ${stored.type} is recorded for it.`,
          );
        }
      }
      const change = stored.type === "hook_created" ? hookIndexChange(stored) : null;
      if (change?.kind === "claim") return await this.#hooks.claim(change.record, () => this.#commit(state, checked));
      return await this.#commit(state, checked);
    } catch (error) {
      // A refusal decided on a view another process has since moved past is a lost race first:
      // the caller must read the newer events (maybe its rival already did the same thing).
      if ((HookConflictError.is(error) || HookNotFoundError.is(error)) && (await this.#store.has(eventKey(runId, expectedSeq + 1)))) {
        await this.#runs.catchUp(state);
        throw conflict(runId, expectedSeq);
      }
      throw error;
    }
  }

  async #commit(state: RunState, { stored, text, wake }: CheckedAppend): Promise<WorkflowEvent> {
    const { runId } = state;
    // Written before the event: a spare drive is harmless, a missing one would strand the run.
    const held = wake ? await this.queue.hold(runId, wake) : null;
    let created: boolean;
    try {
      if (stored.type === "run_created") {
        // A placeholder (lastSeq 0) makes the run findable by start()'s repair even if the
        // process dies right after the event; readers derive the real summary from the log.
        const { workflowId } = stored.data;
        const placeholder: RunSummary = { runId, workflowId, status: "pending", createdAt: stored.at, updatedAt: stored.at, lastSeq: 0 };
        await this.#store.create(summaryKey(runId), JSON.stringify(placeholder));
      }
      created = await this.#store.create(eventKey(runId, stored.seq), text);
    } catch (error) {
      held?.activate();
      throw error;
    }
    if (!created) {
      await held?.discard().catch((error) => this.#options.onError(error, `dropping the wake of a refused append to run ${runId}`));
      await this.#runs.catchUp(state);
      throw conflict(runId, stored.seq - 1);
    }
    held?.activate();
    try {
      await this.#runs.applyAppended(state, stored);
    } catch (error) {
      // The event is stored, so the append happened (the log is the truth); the derived
      // records are repaired from the log the next time the run is loaded.
      this.#runs.forget(runId);
      this.#options.onError(error, `updating run ${runId}'s summary and hooks after seq ${stored.seq}`);
    }
    return stored;
  }

  async readEvents(runId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    checkRunId(runId, "readEvents");
    const after = checkAfterSeq(afterSeq, runId);
    await this.#ready();
    const events: WorkflowEvent[] = [];
    // Seqs are contiguous, so reading forward until the first missing key reads exactly the newer events.
    for (let seq = after + 1; ; seq++) {
      const event = await this.#store.read<WorkflowEvent>(eventKey(runId, seq));
      if (!event) return events;
      events.push(event);
    }
  }

  // -- runs and hooks ----------------------------------------------------------------------------

  async getRun(runId: string): Promise<RunSummary | null> {
    checkRunId(runId, "getRun");
    await this.#ready();
    const summary = await this.#runs.summary(runId);
    return summary ? { ...summary } : null;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const { status, workflowId, limit = 100 } = options ?? {};
    const statuses = status === undefined ? undefined : Array.isArray(status) ? status : [status];
    checkListRuns(statuses ?? [], limit, workflowId);
    await this.#ready();
    const wanted = statuses ? new Set<string>(statuses) : null;
    const found: RunSummary[] = [];
    for (const runId of await this.#runs.runIds()) {
      const summary = await this.#runs.summary(runId);
      if (!summary) continue;
      if (wanted && !wanted.has(summary.status)) continue;
      if (workflowId !== undefined && summary.workflowId !== workflowId) continue;
      found.push({ ...summary });
    }
    found.sort((a, b) => b.createdAt - a.createdAt || compareIds(b.runId, a.runId));
    return found.slice(0, limit);
  }

  async getHook(tokenHash: string): Promise<HookRecord | null> {
    checkTokenHash(tokenHash, "getHook");
    await this.#ready();
    return this.#hooks.get(tokenHash);
  }

  async listHooks(options: { runId?: string; status?: HookRecord["status"] } = {}): Promise<HookRecord[]> {
    const { runId, status } = options ?? {};
    if (runId !== undefined) checkRunId(runId, "listHooks");
    checkHookStatus(status);
    await this.#ready();
    let records: HookRecord[];
    if (runId !== undefined) {
      const state = await this.#runs.current(runId);
      records = state ? [...state.hooks.values()].map((record) => ({ ...record })) : [];
    } else {
      records = await this.#hooks.list();
    }
    return records
      .filter((record) => status === undefined || record.status === status)
      .sort((a, b) => a.createdAt - b.createdAt || compareIds(a.hookId, b.hookId) || compareIds(a.runId, b.runId));
  }

  // -- deliveries --------------------------------------------------------------------------------

  async getDelivery(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    checkRunId(runId, "getDelivery");
    checkId("the hook id", hookId, "getDelivery");
    checkText(dedupeKey, "the dedupe key", "getDelivery");
    await this.#ready();
    // Catching the run up repairs an index entry a crash cut off.
    if (!(await this.#runs.current(runId))) return null;
    return this.#deliveries.find(runId, hookId, dedupeKey);
  }

  async getResponse(runId: string, requestId: string): Promise<EventOf<"webhook_responded"> | null> {
    checkRunId(runId, "getResponse");
    checkText(requestId, "the request id", "getResponse");
    await this.#ready();
    if (!(await this.#runs.current(runId))) return null;
    const seq = await this.#deliveries.responseSeq(runId, requestId);
    if (seq === null) return null;
    const event = await this.#store.read<WorkflowEvent>(eventKey(runId, seq));
    return event?.type === "webhook_responded" ? event : null;
  }

  async recordRefusal(refusal: NewRefusal): Promise<void> {
    checkRefusal(refusal);
    checkRunId(refusal.runId, "recordRefusal");
    checkId("the hook id", refusal.hookId, "recordRefusal");
    await this.#ready();
    await this.#refusals.record(refusal);
  }

  async listRefusals(options?: ListRefusalsOptions): Promise<RefusedDelivery[]> {
    const checked = checkListRefusals(options);
    if (checked.runId !== undefined) checkRunId(checked.runId, "listRefusals");
    if (checked.hookId !== undefined) checkId("the hook id", checked.hookId, "listRefusals");
    await this.#ready();
    return this.#refusals.list(checked);
  }

  // -- notifications and the secret --------------------------------------------------------------

  onAppend(listener: AppendListener): () => void {
    checkFunction(listener, "onAppend: the listener");
    // Each registration is its own entry, so registering one function twice is undone one at a time.
    const entry: AppendListener = (runId, seq, type) => listener(runId, seq, type);
    this.#listeners.add(entry);
    this.#shared.listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
      this.#shared.listeners.delete(entry);
    };
  }

  #emit(runId: string, seq: number, type: WorkflowEvent["type"]): void {
    for (const listener of this.#shared.listeners) {
      try {
        listener(runId, seq, type);
      } catch (error) {
        this.#options.onError(error, "an onAppend listener");
      }
    }
  }

  loadSecret(): Promise<string> {
    this.#secret ??= this.#ready()
      .then(() => loadOrCreateSecret(this.#store, this.#options.driver === "fs" ? join(this.#options.dir, "secret") : this.location))
      .catch((error) => {
        this.#secret = null;
        throw error;
      });
    return this.#secret;
  }
}

function conflict(runId: string, expectedSeq: number): EventConflictError {
  return new EventConflictError(
    `Run ${runId}: seq ${expectedSeq + 1} was appended by another writer first (expectedSeq ${expectedSeq} is stale). Read the events after seq ${expectedSeq} and decide again.`,
  );
}

function duplicate(first: RecordedDelivery): DuplicateDeliveryError {
  return new DuplicateDeliveryError(
    `Run ${first.runId}: hook ${first.hookId} already received the delivery with dedupe key ${describe(first.dedupeKey)} (request ${first.requestId}, seq ${first.seq}); nothing was appended.`,
    first,
  );
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function prepareDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorldError(
      `Local world: cannot use ${dir} as its data directory (${reason}). Pass createLocalWorld({ dir }) — or set HOOKLINE_LOCAL_DIR — to a directory this process can write.`,
      { code: "HOOKLINE_CONFIG", cause: error },
    );
  }
}
