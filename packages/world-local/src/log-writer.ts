/**
 * The local world's append: checks in memory (no reads: the caller's expectedSeq and this
 * process's state of the run decide), then [the wake message], then the event created
 * exclusively at its seq, then the records derived from it. The caller holds the run's lock, so
 * a hook's payload can never be stored after the event that ended the hook, nor a delivery
 * twice under one dedupe key. Across processes the exclusive create decides who gets a seq, and
 * a process that finds its view of a run behind reads the newer events first.
 */
import {
  DuplicateDeliveryError,
  EventConflictError,
  HookConflictError,
  HookNotFoundError,
  hookIndexChange,
  type RecordedDelivery,
  RunNotFoundError,
  type RunSummary,
  type WorkflowEvent,
  WorldError,
} from "@hookline/core/world";
import { type CheckedAppend, describe } from "./checks.js";
import type { DeliveryIndex } from "./deliveries.js";
import type { HookIndex } from "./hook-index.js";
import { eventKey, summaryKey } from "./keys.js";
import type { LocalQueue } from "./queue.js";
import type { RunState, Runs } from "./runs.js";
import type { StartKeyIndex } from "./start-keys.js";
import { changesStatus, type StatusNotes } from "./status-notes.js";
import type { Store } from "./store.js";

export interface LogParts {
  store: Store;
  runs: Runs;
  hooks: HookIndex;
  deliveries: DeliveryIndex;
  starts: StartKeyIndex;
  queue: LocalQueue;
  notes: StatusNotes;
  report(error: unknown, where: string): void;
}

export class LogWriter {
  readonly #parts: LogParts;

  constructor(parts: LogParts) {
    this.#parts = parts;
  }

  /** Appends under the run's lock (the caller holds it), with its state caught up as this process knows it. */
  async append(state: RunState, checked: CheckedAppend): Promise<WorkflowEvent> {
    const { expectedSeq, stored } = checked;
    const { runId } = state;
    // Behind the caller: another process appended; read what it wrote before deciding.
    if (state.lastSeq < expectedSeq) await this.#parts.runs.catchUp(state);
    if (state.lastSeq > expectedSeq) throw conflict(runId, expectedSeq);
    if (state.lastSeq < expectedSeq) {
      if (!state.summary)
        throw new RunNotFoundError(
          `No run with id "${runId}": a run's first event must be run_created (appended with expectedSeq 0).`,
        );
      throw new WorldError(
        `Local world: append to run ${runId}: expectedSeq ${expectedSeq} is past the end of the log, which ends at ${state.lastSeq}.`,
      );
    }
    try {
      // Before the hook's state: a repeat racing the hook's end still learns it is a repeat.
      if (stored.type === "hook_received" && stored.data.dedupeKey) {
        const first = await this.#parts.deliveries.find(runId, stored.corr ?? "", stored.data.dedupeKey);
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
      if (change?.kind === "claim")
        return await this.#parts.hooks.claim(change.record, () => this.#commit(state, checked));
      if (stored.type === "run_created" && stored.data.idempotencyKey !== undefined) {
        return await this.#parts.starts.claim(stored, () => this.#commit(state, checked));
      }
      return await this.#commit(state, checked);
    } catch (error) {
      // A refusal decided on a view another process has since moved past is a lost race first:
      // the caller must read the newer events (maybe its rival already did the same thing).
      if (
        (HookConflictError.is(error) || HookNotFoundError.is(error)) &&
        (await this.#parts.store.has(eventKey(runId, expectedSeq + 1)))
      ) {
        await this.#parts.runs.catchUp(state);
        throw conflict(runId, expectedSeq);
      }
      throw error;
    }
  }

  async #commit(state: RunState, { stored, text, wake }: CheckedAppend): Promise<WorkflowEvent> {
    const { runId } = state;
    // Written before the event: a spare drive is harmless, a missing one would strand the run.
    const held = wake ? await this.#parts.queue.hold(runId, wake) : null;
    // A status change leaves a note until the run index follows it, for a kill in between (status-notes.ts).
    const moving = changesStatus(stored.type);
    let created: boolean;
    try {
      if (moving) await this.#parts.notes.leave(runId);
      if (stored.type === "run_created") {
        // A placeholder (lastSeq 0) makes the run findable by start()'s repair even if the
        // process dies right after the event; readers derive the real summary from the log.
        const { workflowId } = stored.data;
        const placeholder: RunSummary = {
          runId,
          workflowId,
          status: "pending",
          createdAt: stored.at,
          updatedAt: stored.at,
          lastSeq: 0,
        };
        await this.#parts.store.create(summaryKey(runId), JSON.stringify(placeholder));
      }
      created = await this.#parts.store.create(eventKey(runId, stored.seq), text);
    } catch (error) {
      held?.activate();
      if (moving) this.#parts.notes.abandon(runId);
      throw error;
    }
    if (!created) {
      if (moving)
        await this.#parts.notes
          .remove(runId)
          .catch((error) => this.#parts.report(error, `removing the status note of run ${runId}`));
      await held
        ?.discard()
        .catch((error) => this.#parts.report(error, `dropping the wake of a refused append to run ${runId}`));
      await this.#parts.runs.catchUp(state);
      throw conflict(runId, stored.seq - 1);
    }
    held?.activate();
    try {
      await this.#parts.runs.applyAppended(state, stored);
      if (moving) await this.#parts.notes.remove(runId);
    } catch (error) {
      // The event is stored, so the append happened (the log is the truth); the derived
      // records are repaired from the log the next time the run is loaded.
      this.#parts.runs.forget(runId);
      if (moving) this.#parts.notes.abandon(runId);
      this.#parts.report(error, `updating run ${runId}'s summary and hooks after seq ${stored.seq}`);
    }
    return stored;
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
