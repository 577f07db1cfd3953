/**
 * A consumer of the local queue: runs its handler for the messages the queue hands it, up to
 * its concurrency, and reports each outcome back (acknowledge or retry). Which message goes
 * where and when is the queue's business (queue.ts).
 */
import type { Consumer, Delivery, QueueHandler } from "@hookline/core/world";
import type { Entry, LocalQueue } from "./queue.js";

export class LocalConsumer implements Consumer {
  readonly #queue: LocalQueue;
  readonly #handler: QueueHandler;
  readonly #concurrency: number;
  readonly #running = new Set<Promise<void>>();
  #stopping: Promise<void> | null = null;

  constructor(queue: LocalQueue, handler: QueueHandler, concurrency: number) {
    this.#queue = queue;
    this.#handler = handler;
    this.#concurrency = concurrency;
  }

  get free(): number {
    return this.#stopping ? 0 : this.#concurrency - this.#running.size;
  }

  deliver(entry: Entry, delivery: Delivery): void {
    const run = this.#run(entry, delivery);
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      this.#queue.wake();
    });
  }

  async #run(entry: Entry, delivery: Delivery): Promise<void> {
    let failed = false;
    let failure: unknown;
    try {
      await this.#handler({ runId: entry.runId }, delivery);
    } catch (error) {
      failed = true;
      failure = error;
    }
    // Closed meanwhile: the message stays stored and is delivered again after a restart.
    if (this.#queue.closed) return;
    try {
      if (failed) await this.#queue.retry(entry, failure);
      else await this.#queue.acknowledge(entry);
    } catch (error) {
      // The message stays stored and is delivered again after a restart: at-least-once.
      this.#queue.report(error, `acknowledging the queue message for run ${entry.runId}`);
    }
  }

  /**
   * Hands out nothing more, at once. Handlers already running are not waited for (a handler
   * that never settles must not hold up a shutdown); each one's message is still acknowledged
   * or retried when it settles, unless the world has been closed by then.
   */
  stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = Promise.resolve();
      this.#queue.removeConsumer(this);
    }
    return this.#stopping;
  }
}
