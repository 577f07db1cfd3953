/**
 * The test world's queue: messages fall due on the virtual clock, not the wall clock. A sleep's
 * wake-up, a step's retry and a hook's timeout are messages with a delay, so moving the clock
 * is what fires them. It also knows what a test needs to wait for: whether anything is being
 * handled or is due now (`busy`), and when the next message falls due (`nextDueAt`).
 */
import type { Consumer, EnqueueOptions, QueueHandler, QueueMessage, WorldQueue } from "@hookline/core/world";
import { WorldError } from "@hookline/core/world";
import type { VirtualClock } from "./virtual-clock.js";

interface Message {
  runId: string;
  dueAt: number;
  key?: string;
  attempts: number;
  order: number;
}

/** A failed handler's message comes again after 1 s, 2 s, 4 s … (virtual), at most a minute. */
const REDELIVERY_MS = 1_000;
const MAX_REDELIVERY_MS = 60_000;

export class VirtualQueue implements WorldQueue {
  readonly #clock: VirtualClock;
  readonly #report: (error: unknown, where: string) => void;
  readonly #waiting = new Set<Message>();
  readonly #byKey = new Map<string, Message>();
  readonly #idle = new Set<() => void>();
  /** The consumers (a test has one: its runtime), each with the deliveries it is handling. */
  readonly #consumers = new Set<{ run: QueueHandler; concurrency: number; running: number }>();
  #running = 0;
  #order = 0;
  #pumpQueued = false;
  #closed = false;
  readonly #unlisten: () => void;

  constructor(clock: VirtualClock, report: (error: unknown, where: string) => void) {
    this.#clock = clock;
    this.#report = report;
    this.#unlisten = clock.onChange(() => this.#requestPump());
  }

  async enqueue(message: QueueMessage, options: EnqueueOptions = {}): Promise<void> {
    if (typeof message?.runId !== "string" || message.runId === "")
      throw new WorldError("queue.enqueue: the message needs a runId.");
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new WorldError(`queue.enqueue: delayMs must be 0 or more, got ${delayMs}.`);
    if (this.#closed) return;
    if (options.key !== undefined && this.#byKey.has(options.key)) return;
    const entry: Message = {
      runId: message.runId,
      dueAt: this.#clock.now() + delayMs,
      attempts: 0,
      order: this.#order++,
    };
    if (options.key !== undefined) {
      entry.key = options.key;
      this.#byKey.set(options.key, entry);
    }
    this.#waiting.add(entry);
    this.#requestPump();
  }

  consume(handler: QueueHandler, options: { concurrency?: number } = {}): Consumer {
    const consumer = { run: handler, concurrency: options.concurrency ?? 16, running: 0 };
    this.#consumers.add(consumer);
    this.#requestPump();
    return {
      stop: async () => {
        this.#consumers.delete(consumer);
        this.#notifyIdle();
      },
    };
  }

  /** A message is being handled, or one is due now and will be handed out at once. */
  get busy(): boolean {
    if (this.#running > 0) return true;
    if (this.#consumers.size === 0) return false;
    const now = this.#clock.now();
    for (const message of this.#waiting) if (message.dueAt <= now) return true;
    return false;
  }

  /** Resolves once the queue is not busy. */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  /** When the next message for a run `wanted` accepts falls due (epoch ms), or null if none waits. */
  nextDueAt(wanted: (runId: string) => boolean = () => true): number | null {
    let next: number | null = null;
    for (const message of this.#waiting) {
      if (wanted(message.runId) && (next === null || message.dueAt < next)) next = message.dueAt;
    }
    return next;
  }

  close(): void {
    this.#closed = true;
    this.#unlisten();
    this.#consumers.clear();
    this.#waiting.clear();
    this.#byKey.clear();
    this.#notifyIdle();
  }

  #requestPump(): void {
    if (this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Hands due messages to consumers with free slots, earliest first. */
  #pump(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const due = [...this.#waiting].filter((m) => m.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.order - b.order);
    for (const message of due) {
      const consumer = [...this.#consumers].find((c) => c.running < c.concurrency);
      if (!consumer) break;
      this.#waiting.delete(message);
      // Handed out, it no longer counts for dedupe: the same key may be enqueued again.
      if (message.key !== undefined && this.#byKey.get(message.key) === message) this.#byKey.delete(message.key);
      this.#deliver(consumer, message);
    }
    this.#notifyIdle();
  }

  #deliver(consumer: { run: QueueHandler; running: number }, message: Message): void {
    this.#running += 1;
    consumer.running += 1;
    const attempt = message.attempts + 1;
    Promise.resolve()
      .then(() => consumer.run({ runId: message.runId }, { id: `m${message.order}`, attempt }))
      .catch((error: unknown) => {
        if (this.#closed) return;
        message.attempts = attempt;
        const delayMs = Math.min(MAX_REDELIVERY_MS, REDELIVERY_MS * 2 ** (attempt - 1));
        message.dueAt = this.#clock.now() + delayMs;
        this.#report(
          error,
          `queue handler (run ${message.runId}, attempt ${attempt}; delivered again in ${delayMs} ms of virtual time)`,
        );
        this.#waiting.add(message);
        if (message.key !== undefined && !this.#byKey.has(message.key)) this.#byKey.set(message.key, message);
      })
      .finally(() => {
        this.#running -= 1;
        consumer.running -= 1;
        this.#requestPump();
        this.#notifyIdle();
      });
  }

  #notifyIdle(): void {
    if (this.#idle.size === 0 || this.busy) return;
    const waiting = [...this.#idle];
    this.#idle.clear();
    for (const resolve of waiting) resolve();
  }
}
