/**
 * A warm run's durable wake-ups: each is a delayed queue message (so it survives restarts), at
 * most one per distinct time per warm run; a duplicate after a replay is harmless (keyed).
 */
import type { WorldQueue } from "../world/world.js";

export class RunTimers {
  readonly #queue: WorldQueue;
  readonly #runId: string;
  readonly #set = new Set<number>();

  constructor(queue: WorldQueue, runId: string) {
    this.#queue = queue;
    this.#runId = runId;
  }

  /** Enqueues a drive of the run at `at` (ms), unless one is already set for that time. */
  async wakeAt(at: number): Promise<void> {
    if (this.#set.has(at)) return;
    this.#set.add(at);
    try {
      await this.#queue.enqueue(
        { runId: this.#runId },
        { delayMs: Math.max(0, at - Date.now()), key: `timer:${this.#runId}:${at}` },
      );
    } catch (error) {
      this.#set.delete(at);
      throw error;
    }
  }
}
