/**
 * Run state derived from each run's log: the summary and the run's hooks, kept in memory for
 * the runs this process touches and checkpointed to storage. The log is the truth: a state is
 * loaded from its checkpoint and then caught up by reading the events after it, which also
 * repairs whatever a crash cut off between an append and its derived writes.
 *
 * Write order per event, so that a checkpoint never claims more than storage holds:
 *   event → the run's hook files, the hook index, the delivery index and the run index → (later,
 *   batched) the summary.
 * A summary at lastSeq s therefore implies every hook change up to s is stored; catching up
 * re-applies the events after s, and re-applying a hook change is idempotent. A run's summary
 * is a checkpoint, so a busy run's is rewritten at most every CHECKPOINT_MS or CHECKPOINT_EVENTS
 * events (flush() and close() write every one that is behind): readers catch up from it.
 */
import {
  applyToSummary,
  type HookIndexChange,
  type HookRecord,
  hookIndexChange,
  type RunSummary,
  type WorkflowEvent,
  WorldError,
} from "@hookline/core/world";
import type { DeliveryIndex } from "./deliveries.js";
import type { HookIndex } from "./hook-index.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { eventKey, RUNS_BASE, runHookKey, runHooksBase, runIdOfSummaryKey, summaryKey } from "./keys.js";
import type { RunIndex } from "./run-index.js";
import type { Store } from "./store.js";

export interface RunState {
  readonly runId: string;
  /** null until run_created. Replaced (never mutated) on every event, so a reference is a snapshot. */
  summary: RunSummary | null;
  lastSeq: number;
  /** This run's hooks by hook id (corr of hook_created). */
  readonly hooks: Map<string, HookRecord>;
  /** lastSeq of the summary in storage. */
  savedSeq: number;
  /** When this process last wrote the summary (0: not yet). */
  savedAt: number;
}

/** A busy run's summary is rewritten at most this often, unless it fell this many events behind. */
const CHECKPOINT_MS = 10_000;
const CHECKPOINT_EVENTS = 64;

/** "append": the event was just appended here; "repair": found in the log on catch-up; "peek": in memory only. */
type Mode = "append" | "repair" | "peek";

export interface RunsOptions {
  summaryFlushMs: number;
  maxCachedRuns: number;
  report: (error: unknown, where: string) => void;
}

export class Runs {
  readonly #store: Store;
  readonly #locks: KeyedMutex;
  readonly #options: RunsOptions;
  /** Insertion order is recency: a touched run is moved to the end. */
  readonly #cache = new Map<string, RunState>();
  readonly #dirty = new Set<RunState>();
  #hooks!: HookIndex;
  #deliveries!: DeliveryIndex;
  #index!: RunIndex;
  #flushTimer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(store: Store, locks: KeyedMutex, options: RunsOptions) {
    this.#store = store;
    this.#locks = locks;
    this.#options = options;
  }

  set hookIndex(hooks: HookIndex) {
    this.#hooks = hooks;
  }

  set deliveryIndex(deliveries: DeliveryIndex) {
    this.#deliveries = deliveries;
  }

  set runIndex(index: RunIndex) {
    this.#index = index;
  }

  /** Runs `task` holding the run's lock, with its state caught up to the log as this process knows it. */
  withRun<T>(runId: string, task: (state: RunState) => Promise<T>): Promise<T> {
    return this.#locks.run(runId, async () => task(await this.#state(runId)));
  }

  /** The run's state as of the end of its log; null if the run does not exist. Takes the lock only to catch up. */
  async current(runId: string): Promise<RunState | null> {
    const cached = this.#cache.get(runId);
    if (cached && (await this.#endsLog(runId, cached.lastSeq))) return cached.summary ? cached : null;
    const state = await this.withRun(runId, async (state) => {
      await this.catchUp(state);
      return state;
    });
    return state.summary ? state : null;
  }

  /** The summary as of the end of the log, without loading the run's hooks when the checkpoint is current. */
  async summary(runId: string): Promise<RunSummary | null> {
    const cached = this.#cache.get(runId);
    if (cached) return (await this.current(runId))?.summary ?? null;
    const saved = await this.#store.read<RunSummary>(summaryKey(runId));
    if (!saved) return null;
    if (saved.lastSeq > 0 && (await this.#endsLog(runId, saved.lastSeq))) return saved;
    return (await this.current(runId))?.summary ?? null;
  }

  /**
   * The state of a run for checking whether one of its hooks is still active, from the cache
   * if current, else read from storage without caching or writing anything (no locks taken, so
   * it can be called while holding another run's or a token's lock).
   */
  async peek(runId: string): Promise<RunState | null> {
    const cached = this.#cache.get(runId);
    if (cached && (await this.#endsLog(runId, cached.lastSeq))) return cached;
    const state = await this.#load(runId);
    await this.#catchUp(state, "peek");
    return state;
  }

  async runIds(): Promise<string[]> {
    const keys = await this.#store.keys(RUNS_BASE, 2);
    const ids: string[] = [];
    for (const key of keys) {
      const runId = runIdOfSummaryKey(key);
      if (runId) ids.push(runId);
    }
    return ids;
  }

  /** Reads the events after the state's lastSeq and applies them, repairing derived records. Hold the run's lock. */
  catchUp(state: RunState): Promise<void> {
    return this.#catchUp(state, "repair");
  }

  /** Applies an event this process just appended. Hold the run's lock. */
  applyAppended(state: RunState, event: WorkflowEvent): Promise<void> {
    return this.#apply(state, event, "append");
  }

  /** Writes every summary that is behind its run's log. */
  flush(): Promise<void> {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
    }
    return this.#flush(true);
  }

  #flush(all: boolean): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const next = previous.then(() => this.#flushNow(all));
    this.#flushing = next;
    void next.finally(() => {
      if (this.#flushing === next) this.#flushing = null;
    });
    return next;
  }

  /** Drops the run's in-memory state (after a failed derived write): the next use reloads and repairs it. */
  forget(runId: string): void {
    const state = this.#cache.get(runId);
    if (!state) return;
    this.#cache.delete(runId);
    this.#dirty.delete(state);
  }

  close(): Promise<void> {
    return this.flush();
  }

  // -- internals -------------------------------------------------------------------------------

  /** No event follows `lastSeq` in storage: a state or summary at it is current. */
  async #endsLog(runId: string, lastSeq: number): Promise<boolean> {
    return !(await this.#store.has(eventKey(runId, lastSeq + 1)));
  }

  async #state(runId: string): Promise<RunState> {
    const cached = this.#cache.get(runId);
    if (cached) {
      this.#cache.delete(runId);
      this.#cache.set(runId, cached);
      return cached;
    }
    const state = await this.#load(runId);
    await this.#catchUp(state, "repair");
    this.#cache.set(runId, state);
    this.#evict();
    return state;
  }

  async #load(runId: string): Promise<RunState> {
    const saved = await this.#store.read<RunSummary>(summaryKey(runId));
    // lastSeq 0 is the placeholder written before run_created: the run may or may not exist yet.
    const summary = saved && saved.lastSeq > 0 ? saved : null;
    const hooks = new Map<string, HookRecord>();
    if (summary) {
      for (const key of await this.#store.keys(runHooksBase(runId), 3)) {
        const record = await this.#store.read<HookRecord>(key);
        if (record) hooks.set(record.hookId, record);
      }
    }
    const lastSeq = summary?.lastSeq ?? 0;
    return { runId, summary, lastSeq, hooks, savedSeq: lastSeq, savedAt: 0 };
  }

  async #catchUp(state: RunState, mode: Mode): Promise<void> {
    for (;;) {
      const seq = state.lastSeq + 1;
      const event = await this.#store.read<WorkflowEvent>(eventKey(state.runId, seq));
      if (!event) return;
      if (event.seq !== seq || event.runId !== state.runId) {
        throw new WorldError(
          `Local world: ${eventKey(state.runId, seq)} holds event ${event.runId}#${event.seq}; the run's log is damaged.`,
        );
      }
      await this.#apply(state, event, mode);
    }
  }

  async #apply(state: RunState, event: WorkflowEvent, mode: Mode): Promise<void> {
    let summary: RunSummary;
    try {
      summary = applyToSummary(state.summary, event);
    } catch (error) {
      throw new WorldError(
        `Local world: run ${state.runId} cannot be derived from its log: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const change = hookIndexChange(event);
    if (change) await this.#applyHookChange(state, change, mode);
    if (mode !== "peek") await this.#deliveries.apply(event);
    // A new run or a new status moves its index entry (run-index.ts), also before the checkpoint.
    if (mode !== "peek" && summary.status !== state.summary?.status) await this.#index.ensure(summary);
    if (mode !== "peek" && event.type === "run_created") await this.#index.addRerun(summary);
    // Only after the hook writes: a summary checkpoint must never get ahead of them.
    state.summary = summary;
    state.lastSeq = event.seq;
    if (mode !== "peek") this.#markDirty(state);
  }

  async #applyHookChange(state: RunState, change: NonNullable<HookIndexChange>, mode: Mode): Promise<void> {
    if (change.kind === "claim") {
      state.hooks.set(change.record.hookId, change.record);
      if (mode === "peek") return;
      await this.#store.write(runHookKey(state.runId, change.record.hookId), change.record);
      // On append the token's lock is held by HookIndex.claim, around this very apply.
      if (mode === "repair") await this.#hooks.repairClaim(change.record);
      else await this.#hooks.writeClaimed(change.record);
      return;
    }
    const ids = change.kind === "end" ? [change.hookId] : [...state.hooks.keys()];
    for (const hookId of ids) {
      const record = state.hooks.get(hookId);
      // hook_conflicted ends a hook that never claimed anything: nothing to do.
      if (!record) continue;
      if (record.status === "ended") {
        // On repair the index may still say active (the crash came before its write).
        if (mode === "repair") await this.#hooks.end(record);
        continue;
      }
      const ended: HookRecord = { ...record, status: "ended", endedAt: change.at };
      state.hooks.set(hookId, ended);
      if (mode === "peek") continue;
      await this.#store.write(runHookKey(state.runId, hookId), ended);
      await this.#hooks.end(ended);
    }
  }

  #markDirty(state: RunState): void {
    this.#dirty.add(state);
    if (this.#options.summaryFlushMs === 0) {
      void this.flush().catch((error) => this.#options.report(error, "writing run summaries"));
      return;
    }
    if (this.#flushTimer) return;
    this.#armFlush(this.#options.summaryFlushMs);
  }

  #armFlush(delayMs: number): void {
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      this.#flush(false)
        .catch((error) => this.#options.report(error, "writing run summaries"))
        // Summaries held back as recent checkpoints are looked at again.
        .finally(() => {
          if (this.#dirty.size > 0 && !this.#flushTimer)
            this.#armFlush(Math.max(this.#options.summaryFlushMs, CHECKPOINT_MS / 8));
        });
    }, delayMs);
    this.#flushTimer.unref();
  }

  /** Writes the summaries behind their run's log: `all`, or those whose checkpoint is old or far behind. */
  async #flushNow(all: boolean): Promise<void> {
    const states = [...this.#dirty];
    this.#dirty.clear();
    const now = Date.now();
    let failure: unknown;
    for (const state of states) {
      const summary = state.summary;
      if (!summary || summary.lastSeq <= state.savedSeq) continue;
      if (!all && now - state.savedAt < CHECKPOINT_MS && summary.lastSeq - state.savedSeq < CHECKPOINT_EVENTS) {
        this.#dirty.add(state);
        continue;
      }
      try {
        await this.#store.write(summaryKey(state.runId), summary);
        state.savedSeq = Math.max(state.savedSeq, summary.lastSeq);
        state.savedAt = now;
      } catch (error) {
        this.#dirty.add(state);
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  #evict(): void {
    if (this.#cache.size <= this.#options.maxCachedRuns) return;
    for (const [runId, state] of this.#cache) {
      if (this.#cache.size <= this.#options.maxCachedRuns) return;
      // A state whose summary is not written yet stays until the next flush.
      if (!this.#dirty.has(state)) this.#cache.delete(runId);
    }
  }
}
