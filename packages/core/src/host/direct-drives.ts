/**
 * Waking a run warm in this process in memory, right after an outside append (a hook payload,
 * a webhook request, a cancel), instead of through a queue message per append. The durable
 * wake is kept, but delayed: the append writes a `settle:<runId>` message due SETTLE_MS later
 * (or at once when a restarted process loads it),
 * and while one waits undelivered the world writes no other (its key dedupe), so a burst of
 * deliveries to a run costs one queue message per SETTLE_MS, not one each. If the process dies
 * before the run has reacted, that message drives it after the restart; once delivered, it is a
 * spare drive that finds nothing new. A run not warm here is woken through the queue at once.
 *
 *   const direct = drives.reserve(runId);                 // null: wake through the queue now
 *   const event = await world.append(runId, e, { expectedSeq, wake: direct?.wake ?? now });
 *   direct?.drive(event);
 */

import type { WorkflowEvent } from "../world/events.js";
import type { EnqueueOptions } from "../world/world.js";

/** How long after an append its durable wake is due (a run warm here is driven in memory first; after a restart the local world delivers it at once). */
export const SETTLE_MS = 10_000;

export interface DirectDrivePort {
  /** Whether the run is warm here and this process drives runs (consumes the queue). */
  isWarm(runId: string): boolean;
  /** Drives the run now, having just appended `event`; rejects like a queue handler would. */
  drive(runId: string, event: WorkflowEvent): Promise<void>;
  /** Wakes the run through the queue at once (a direct drive failed: the queue retries it). */
  wake(runId: string): Promise<void>;
  report(error: unknown, where: string): void;
}

export interface DirectDrive {
  /** The delayed safety-net wake to append with. */
  readonly wake: EnqueueOptions;
  /** Drives the run in memory with the event just appended (never rejects). */
  drive(event: WorkflowEvent): void;
}

export class DirectDrives {
  readonly #port: DirectDrivePort;
  readonly #max: number;
  #running = 0;
  #closed = false;

  /** `max`: direct drives at once; past it, runs are woken through the queue (its concurrency applies). */
  constructor(port: DirectDrivePort, max: number) {
    this.#port = port;
    this.#max = max;
  }

  /** A direct drive for an append to `runId`, if the run is warm here and there is room; else null. */
  reserve(runId: string): DirectDrive | null {
    if (this.#closed || this.#running >= this.#max || !this.#port.isWarm(runId)) return null;
    return {
      wake: { key: `settle:${runId}`, delayMs: SETTLE_MS, settle: true },
      drive: (event) => this.#drive(runId, event),
    };
  }

  close(): void {
    this.#closed = true;
  }

  #drive(runId: string, event: WorkflowEvent): void {
    if (this.#closed) return;
    this.#running += 1;
    this.#port
      .drive(runId, event)
      .catch(async (error: unknown) => {
        if (this.#closed) return;
        this.#port.report(error, `driving run ${runId} after seq ${event.seq} (woken through the queue instead)`);
        await this.#port.wake(runId);
      })
      .catch((error: unknown) => {
        // The delayed wake written with the append still drives the run.
        if (!this.#closed) this.#port.report(error, `waking run ${runId}`);
      })
      .finally(() => {
        this.#running -= 1;
      });
  }
}
