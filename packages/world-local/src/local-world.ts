/**
 * The local world: runs, hooks and the queue in one directory (or any unstorage driver). See
 * keys.ts for the layout, runs.ts for derived state and crash repair, hook-index.ts for token
 * claims, queue.ts for delivery, slots.ts for concurrency slots.
 *
 * An append (log-writer.ts) runs under the run's in-process lock; a whole log is read a sealed
 * block at a time (log-reader.ts, segments.ts). deliveries.ts keeps the dedupe
 * and response indexes, refusals.ts the refused deliveries beside the logs, directory.ts the
 * data folder and its .gitignore.
 */
import { join } from "node:path";
import {
  type AppendListener,
  type AppendOptions,
  type EventOf,
  type HookRecord,
  type ListRefusalsOptions,
  type ListRunsOptions,
  type NewEvent,
  type NewRefusal,
  type RecordedDelivery,
  type RefusedDelivery,
  type RunCount,
  type RunSummary,
  type WorkflowEvent,
  type World,
  WorldError,
} from "@hookline/core/world";
import type { Driver } from "unstorage";
import { LocalBundles } from "./bundles.js";
import {
  checkAfterSeq,
  checkAppend,
  checkCountRuns,
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
import { prepareDirectory } from "./directory.js";
import { fsDriver, removeStaleTempDirs } from "./drivers/fs.js";
import { memoryDriver } from "./drivers/memory.js";
import { HookIndex } from "./hook-index.js";
import { eventKey, LAYOUT_KEY, LAYOUT_VERSION } from "./keys.js";
import { readLog } from "./log-reader.js";
import { LogWriter } from "./log-writer.js";
import { type LocalWorldOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { LocalQueue } from "./queue.js";
import { RefusalStore } from "./refusals.js";
import { RunIndex } from "./run-index.js";
import { listIndexedRuns } from "./run-list.js";
import { Runs } from "./runs.js";
import { LocalSchedules } from "./schedules.js";
import { loadOrCreateSecret } from "./secret.js";
import { Segments } from "./segments.js";
import { type SharedStorage, sharedFor } from "./shared.js";
import { LocalSlots } from "./slots.js";
import { StartKeyIndex } from "./start-keys.js";
import { repairRuns } from "./start-repair.js";
import { StatusNotes } from "./status-notes.js";
import { Store } from "./store.js";
import { DirectoryWatches } from "./stream-watch.js";
import { LocalStreams } from "./streams.js";

export class LocalWorld implements World {
  readonly name = "local";
  readonly queue: LocalQueue;
  readonly streams: LocalStreams;
  readonly slots: LocalSlots;
  readonly schedules: LocalSchedules;
  readonly bundles: LocalBundles;
  readonly #options: ResolvedOptions;
  readonly #driver: Driver;
  /** The driver was made here (fs, memory), so close() disposes it; a caller's driver is left alone. */
  readonly #ownsDriver: boolean;
  readonly #store: Store;
  readonly #shared: SharedStorage;
  readonly #runs: Runs;
  readonly #index: RunIndex;
  readonly #hooks: HookIndex;
  readonly #deliveries: DeliveryIndex;
  readonly #refusals: RefusalStore;
  readonly #writer: LogWriter;
  readonly #segments: Segments;
  readonly #notes: StatusNotes;
  readonly #listeners = new Set<AppendListener>();
  readonly #appending = new Set<Promise<unknown>>();
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #secret: Promise<string> | null = null;

  constructor(options?: LocalWorldOptions) {
    this.#options = resolveOptions(options);
    const choice = this.#options.driver;
    this.#driver =
      choice === "fs"
        ? fsDriver({ base: this.#options.dir, fsync: this.#options.fsync })
        : choice === "memory"
          ? memoryDriver()
          : choice;
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
    this.#index = new RunIndex(this.#store, this.#shared.tokenLocks);
    this.#runs.runIndex = this.#index;
    this.#refusals = new RefusalStore(this.#store);
    this.#segments = new Segments(this.#store, this.#options.onError);
    this.#notes = new StatusNotes(this.#store, this.#shared.movingRuns);
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
    this.streams = new LocalStreams({
      store: async () => {
        await this.#ready();
        return this.#store;
      },
      shared: this.#shared,
      watches: choice === "fs" ? new DirectoryWatches(this.#options.dir, this.#options.onError) : null,
      report: this.#options.onError,
    });
    this.slots = new LocalSlots({
      store: async () => {
        await this.#ready();
        return this.#store;
      },
      locks: this.#shared.slotLocks,
      leaseMs: this.#options.slotLeaseMs,
      wake: (runId) => this.queue.enqueue({ runId }, { key: `slot:${runId}` }),
      report: this.#options.onError,
    });
    this.schedules = new LocalSchedules(async () => {
      await this.#ready();
      return this.#store;
    }, this.#shared.tokenLocks);
    this.bundles = new LocalBundles({
      store: async () => {
        await this.#ready();
        return this.#store;
      },
      locks: this.#shared.tokenLocks,
      runs: this.#runs,
      readEvents: (runId) => this.readEvents(runId),
    });
    this.#writer = new LogWriter({
      store: this.#store,
      runs: this.#runs,
      hooks: this.#hooks,
      deliveries: this.#deliveries,
      starts: new StartKeyIndex(this.#store, this.#shared.tokenLocks),
      queue: this.queue,
      notes: this.#notes,
      report: this.#options.onError,
    });
  }

  /** Where the records are: the data directory, or the driver. */
  get location(): string {
    const choice = this.#options.driver;
    return choice === "fs"
      ? this.#options.dir
      : choice === "memory"
        ? "memory"
        : `unstorage driver ${choice.name ?? "(unnamed)"}`;
  }

  // -- lifecycle ---------------------------------------------------------------------------------

  /** Checks the directory, repairs what a crash left behind, loads the queue. Idempotent; other calls start the world too. */
  start(): Promise<void> {
    if (this.#closing)
      return Promise.reject(new WorldError("Local world: start() after close(); create a new world instead."));
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
    await repairRuns(this.#runs, this.#index, this.#options.onError);
    await this.#settleStatusNotes();
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
    await this.#segments.close();
    for (const listener of this.#listeners) this.#shared.listeners.delete(listener);
    this.#listeners.clear();
    this.streams.clear();
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
    const appending = this.#runs.withRun(runId, (state) => this.#writer.append(state, checked));
    this.#appending.add(appending);
    try {
      const stored = await appending;
      this.#emit(runId, stored.seq, stored.type);
      this.#segments.appended(runId, stored.seq);
      return stored;
    } finally {
      this.#appending.delete(appending);
    }
  }

  async readEvents(runId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    checkRunId(runId, "readEvents");
    const after = checkAfterSeq(afterSeq, runId);
    await this.#ready();
    return readLog(this.#store, this.#segments, runId, after);
  }

  // -- runs and hooks ----------------------------------------------------------------------------

  async getRun(runId: string): Promise<RunSummary | null> {
    checkRunId(runId, "getRun");
    await this.#ready();
    const summary = await this.#runs.summary(runId);
    return summary ? { ...summary } : null;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const { status, workflowId, rerunOf, limit = 100, before } = options ?? {};
    const statuses = status === undefined ? undefined : Array.isArray(status) ? status : [status];
    checkListRuns(statuses ?? [], limit, workflowId, before, rerunOf);
    await this.#ready();
    const deps = { store: this.#store, index: this.#index, summary: (runId: string) => this.#runs.summary(runId) };
    return listIndexedRuns(deps, { statuses, workflowId, rerunOf, limit, before });
  }

  async countRuns(options: { workflowId?: string } = {}): Promise<RunCount[]> {
    const { workflowId } = options ?? {};
    checkCountRuns(workflowId);
    await this.#ready();
    await this.#settleStatusNotes();
    return this.#index.counts(workflowId);
  }

  /** Catching a run up moves its index entry and counts (runs.ts). */
  #settleStatusNotes(): Promise<void> {
    return this.#notes.settle((runId) => this.#runs.current(runId), this.#options.onError);
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
      .then(() =>
        loadOrCreateSecret(
          this.#store,
          this.#options.driver === "fs" ? join(this.#options.dir, "secret") : this.location,
        ),
      )
      .catch((error) => {
        this.#secret = null;
        throw error;
      });
    return this.#secret;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
