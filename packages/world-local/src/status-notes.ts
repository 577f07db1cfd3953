/**
 * Status changes in flight, so counts are right after a SIGKILL without a restart. Before it
 * appends an event that changes a run's status, a process leaves a note
 * (`runindex:moving:<runId>~<pid>`) and removes it once the run's index entry and counts follow
 * (run-index.ts). A process killed in between leaves its note behind, and countRuns in any live
 * process first catches those runs up, which moves their entries and counts. Notes of live
 * processes are changes in flight (their own process finishes them) and are left alone.
 */
import type { WorkflowEvent } from "@hookline/core/world";
import { MOVING_BASE } from "./keys.js";
import { isAlive } from "./process-alive.js";
import type { Store } from "./store.js";

/** The events applyToSummary changes a run's status with (core's projection.ts). */
const STATUS_EVENTS = new Set<WorkflowEvent["type"]>([
  "run_created",
  "run_started",
  "run_completed",
  "run_failed",
  "run_cancelled",
]);

export const changesStatus = (type: WorkflowEvent["type"]) => STATUS_EVENTS.has(type);

export class StatusNotes {
  readonly #store: Store;
  /** Runs with a note of this process in flight: shared by the worlds of this process on one storage. */
  readonly #mine: Set<string>;

  constructor(store: Store, mine: Set<string>) {
    this.#store = store;
    this.#mine = mine;
  }

  /** Before the event. Hold the run's lock (so this process has one note per run at a time). */
  async leave(runId: string): Promise<void> {
    this.#mine.add(runId);
    await this.#store.write(noteKey(runId), "");
  }

  /** Once the index follows the event (or the event was not appended). */
  async remove(runId: string): Promise<void> {
    await this.#store.remove(noteKey(runId));
    this.#mine.delete(runId);
  }

  /** After a failure between leave() and remove(): the note stays, for the next countRuns to catch the run up. */
  abandon(runId: string): void {
    this.#mine.delete(runId);
  }

  /** Catches up (with `catchUp`) the runs of notes left by processes that are gone, or by a change of this process that failed half-way, and drops the notes. */
  async settle(
    catchUp: (runId: string) => Promise<unknown>,
    report: (error: unknown, where: string) => void,
  ): Promise<void> {
    for (const key of await this.#store.keys(MOVING_BASE, MOVING_BASE.split(":").length)) {
      const name = key.slice(MOVING_BASE.length + 1);
      const split = name.lastIndexOf("~");
      const runId = name.slice(0, split);
      const pid = Number(name.slice(split + 1));
      const inFlight = pid === process.pid ? this.#mine.has(runId) : Number.isInteger(pid) && pid > 0 && isAlive(pid);
      if (split <= 0 || inFlight) continue;
      try {
        await catchUp(runId);
        await this.#store.remove(key);
      } catch (error) {
        report(error, `catching up run ${runId}, whose status change a process left half-done`);
      }
    }
  }
}

const noteKey = (runId: string) => `${MOVING_BASE}:${runId}~${process.pid}`;
