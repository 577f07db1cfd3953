/**
 * The local queue. Every message is a key `queue:<id>.json` until a handler resolves for it, so
 * delayed messages (durable timers) and messages whose handler was running when the process
 * died are delivered again after a restart. Timing, leases and key dedupe live in memory: one
 * in-process timer for the earliest due message, a lease per message handed to a handler.
 *
 * Other processes writing into the same directory are picked up by a periodic scan while this
 * process consumes (scanIntervalMs); if two processes consume one directory, a message may be
 * delivered by both — which at-least-once delivery allows, and the log's compare-and-set makes
 * harmless. Consumers, which run the handlers, are in queue-consumer.ts.
 */
import { randomBytes } from "node:crypto";
import type { Consumer, EnqueueOptions, QueueHandler, QueueMessage, WorldQueue } from "@hookline/core/world";
import { checkEnqueue, checkFunction, checkRunId, describe, fail } from "./checks.js";
import { leafId, QUEUE_BASE, queueKey } from "./keys.js";
import { MinHeap } from "./min-heap.js";
import { LocalConsumer } from "./queue-consumer.js";
import type { Store } from "./store.js";

const MAX_TIMER_MS = 2_147_483_647;
const DEFAULT_CONCURRENCY = 16;

/** A message as stored. `attempts` counts failed deliveries so far. */
interface StoredMessage {
  id: string;
  runId: string;
  dueAt: number;
  key?: string;
  attempts: number;
  /** A safety net (EnqueueOptions.settle): due at once when loaded after a restart. */
  settle?: true;
}

export interface Entry extends StoredMessage {
  /** held: written, not yet deliverable (a wake whose event is being appended); waiting; leased. */
  state: "held" | "waiting" | "leased";
  /** Bumped whenever the entry is (re)scheduled, so stale heap slots are skipped. */
  version: number;
  order: number;
}

interface Slot {
  entry: Entry;
  version: number;
  dueAt: number;
  order: number;
}

export interface QueueDeps {
  /** The started world's store (starts the world if needed). */
  store(): Promise<Store>;
  redeliveryDelayMs: number;
  maxRedeliveryDelayMs: number;
  scanIntervalMs: number;
  report: (error: unknown, where: string) => void;
}

/** A wake message written before its event; `activate()` once the append is decided. */
export interface HeldMessage {
  activate(): void;
  /** The append was refused: drop the message (a spare one would only cause a harmless drive). */
  discard(): Promise<void>;
}

export class LocalQueue implements WorldQueue {
  readonly #deps: QueueDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #byKey = new Map<string, Entry>();
  readonly #heap = new MinHeap<Slot>((a, b) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.order < b.order));
  readonly #consumers = new Set<LocalConsumer>();
  /** Ids finished here recently, so a scan racing an acknowledgement does not adopt them again. */
  readonly #finished = new Map<string, number>();
  #order = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #pumpScheduled = false;
  #scanTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: QueueDeps) {
    this.#deps = deps;
  }

  async enqueue(message: QueueMessage, options: EnqueueOptions = {}): Promise<void> {
    const entry = await this.#write(message, options, "queue.enqueue");
    if (entry) this.#schedule(entry);
  }

  /** Writes a wake message for an append, deliverable only once `activate()` is called. */
  async hold(runId: string, options: EnqueueOptions): Promise<HeldMessage | null> {
    const entry = await this.#write({ runId }, options, `append to run ${runId} (wake)`);
    if (!entry) return null;
    return {
      activate: () => {
        if (entry.state === "held" && this.#entries.get(entry.id) === entry) this.#schedule(entry);
      },
      discard: async () => {
        this.#forget(entry);
        await (await this.#deps.store()).remove(queueKey(entry.id));
      },
    };
  }

  consume(handler: QueueHandler, options: { concurrency?: number } = {}): Consumer {
    checkFunction(handler, "queue.consume: the handler");
    const concurrency = options?.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      fail(`queue.consume: concurrency must be a positive integer, got ${describe(concurrency)}`);
    const consumer = new LocalConsumer(this, handler, concurrency);
    this.#consumers.add(consumer);
    // Messages loaded by start() wait for a consumer; start() may still be running.
    this.#deps.store().then(
      () => this.#pump(),
      (error) => this.#deps.report(error, "starting the queue"),
    );
    this.#startScanning();
    return consumer;
  }

  /** Loads the messages a previous process left (start()). */
  async load(store: Store): Promise<void> {
    await this.#scan(store, true);
  }

  /**
   * Stops every consumer without waiting for their running handlers: a handler that finishes
   * after this is neither acknowledged nor retried here, so its message (still stored) is
   * delivered again after a restart, as if the process had died.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#scanTimer) clearInterval(this.#scanTimer);
    this.#timer = this.#scanTimer = null;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    this.#entries.clear();
    this.#byKey.clear();
    this.#heap.clear();
  }

  // -- used by consumers ----------------------------------------------------------------------

  /** The world is closing: outcomes of handlers still running are left to the next process. */
  get closed(): boolean {
    return this.#closed;
  }

  removeConsumer(consumer: LocalConsumer): void {
    this.#consumers.delete(consumer);
    if (this.#consumers.size === 0 && this.#scanTimer) {
      clearInterval(this.#scanTimer);
      this.#scanTimer = null;
    }
  }

  /** A consumer has a free slot. */
  wake(): void {
    this.#requestPump();
  }

  async acknowledge(entry: Entry): Promise<void> {
    // Only a scan could adopt a finished message again; scans trim this map as they go.
    if (this.#scanTimer) this.#finished.set(entry.id, Date.now());
    // The key goes first: while it exists the message is not done.
    try {
      await (await this.#deps.store()).remove(queueKey(entry.id));
    } finally {
      this.#forget(entry);
    }
  }

  async retry(entry: Entry, error: unknown): Promise<void> {
    entry.attempts += 1;
    const delayMs = Math.min(this.#deps.maxRedeliveryDelayMs, this.#deps.redeliveryDelayMs * 2 ** (entry.attempts - 1));
    entry.dueAt = Date.now() + delayMs;
    this.#deps.report(
      error,
      `queue handler (run ${entry.runId}, attempt ${entry.attempts}; delivered again in ${delayMs} ms)`,
    );
    try {
      if (!this.#closed) await (await this.#deps.store()).write(queueKey(entry.id), stored(entry));
    } catch (writeError) {
      // The stored copy keeps its old due time: it is delivered again after a restart anyway.
      this.#deps.report(writeError, "recording a redelivery");
    }
    if (this.#closed) return;
    // Undelivered again, it counts for dedupe again (unless a newer message took the key).
    if (entry.key !== undefined && !this.#byKey.has(entry.key)) this.#byKey.set(entry.key, entry);
    this.#schedule(entry);
  }

  report(error: unknown, where: string): void {
    this.#deps.report(error, where);
  }

  // -- internals ------------------------------------------------------------------------------

  async #write(message: QueueMessage, options: EnqueueOptions, where: string): Promise<Entry | null> {
    if (typeof message !== "object" || message === null)
      fail(`${where}: the message must be an object { runId }, got ${describe(message)}`);
    checkRunId(message.runId, where);
    const { delayMs, key } = checkEnqueue(options, where);
    const store = await this.#deps.store();
    if (key !== undefined && this.#byKey.has(key)) return null;
    const entry: Entry = {
      id: newMessageId(),
      runId: message.runId,
      dueAt: Date.now() + delayMs,
      attempts: 0,
      state: "held",
      version: 0,
      order: this.#order++,
    };
    if (key !== undefined) entry.key = key;
    if (options.settle === true) entry.settle = true;
    // Registered before the write, so a concurrent enqueue with the same key sees it.
    this.#entries.set(entry.id, entry);
    if (key !== undefined) this.#byKey.set(key, entry);
    try {
      await store.write(queueKey(entry.id), stored(entry));
    } catch (error) {
      this.#forget(entry);
      throw error;
    }
    return entry;
  }

  #forget(entry: Entry): void {
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
    if (entry.key !== undefined && this.#byKey.get(entry.key) === entry) this.#byKey.delete(entry.key);
    entry.version += 1;
  }

  #schedule(entry: Entry): void {
    if (this.#closed) return;
    entry.state = "waiting";
    entry.version += 1;
    this.#heap.push({ entry, version: entry.version, dueAt: entry.dueAt, order: entry.order });
    this.#requestPump();
  }

  #requestPump(): void {
    if (this.#pumpScheduled || this.#closed || this.#consumers.size === 0) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Hands due messages to consumers with free slots, then arms the timer for the next one. */
  #pump(): void {
    if (this.#closed) return;
    const now = Date.now();
    for (;;) {
      const top = this.#peekLive();
      if (!top || top.dueAt > now) break;
      const consumer = this.#freeConsumer();
      if (!consumer) return; // a consumer finishing calls wake()
      this.#heap.pop();
      const entry = top.entry;
      entry.state = "leased";
      // Handed out, it no longer counts for dedupe: the same key may be enqueued again.
      if (entry.key !== undefined && this.#byKey.get(entry.key) === entry) this.#byKey.delete(entry.key);
      consumer.deliver(entry, { id: entry.id, attempt: entry.attempts + 1 });
    }
    this.#armTimer();
  }

  #freeConsumer(): LocalConsumer | null {
    let best: LocalConsumer | null = null;
    for (const consumer of this.#consumers) {
      if (consumer.free > 0 && (!best || consumer.free > best.free)) best = consumer;
    }
    return best;
  }

  /** The earliest slot still current, after dropping the stale ones above it. */
  #peekLive(): Slot | undefined {
    let top = this.#heap.peek();
    while (top && (top.version !== top.entry.version || top.entry.state !== "waiting")) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    return top;
  }

  #armTimer(): void {
    const top = this.#peekLive();
    if (!top || this.#consumers.size === 0) return;
    if (this.#timer && this.#timerAt <= top.dueAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = top.dueAt;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, top.dueAt - Date.now())),
    );
    this.#timer.unref();
  }

  #startScanning(): void {
    if (this.#scanTimer || this.#deps.scanIntervalMs === 0 || this.#closed) return;
    this.#scanTimer = setInterval(() => {
      this.#deps
        .store()
        .then((store) => this.#scan(store))
        .catch((error) => this.#deps.report(error, "looking for queue messages"));
    }, this.#deps.scanIntervalMs);
    this.#scanTimer.unref();
  }

  /** Adopts stored messages this process does not know (left by a previous or another process; `atStart`: by a previous one). */
  async #scan(store: Store, atStart = false): Promise<void> {
    const cutoff = Date.now() - 60_000;
    for (const [id, at] of this.#finished) if (at < cutoff) this.#finished.delete(id);
    for (const key of await store.keys(QUEUE_BASE, 1)) {
      const id = leafId(key);
      if (this.#entries.has(id) || this.#finished.has(id)) continue;
      const message = await store.read<StoredMessage>(key);
      if (!message || this.#entries.has(id) || this.#finished.has(id) || this.#closed) continue;
      if (typeof message.runId !== "string" || typeof message.dueAt !== "number") {
        this.#deps.report(new Error(`${key} is not a queue message`), "loading queue messages");
        continue;
      }
      const entry: Entry = {
        id,
        runId: message.runId,
        // The process that would have done its work in memory is gone.
        dueAt: atStart && message.settle === true ? Math.min(message.dueAt, Date.now()) : message.dueAt,
        attempts: Number.isInteger(message.attempts) ? message.attempts : 0,
        state: "held",
        version: 0,
        order: this.#order++,
      };
      if (message.key !== undefined) {
        entry.key = message.key;
        if (!this.#byKey.has(message.key)) this.#byKey.set(message.key, entry);
      }
      this.#entries.set(id, entry);
      this.#schedule(entry);
    }
  }
}

function stored(entry: Entry): StoredMessage {
  const message: StoredMessage = { id: entry.id, runId: entry.runId, dueAt: entry.dueAt, attempts: entry.attempts };
  if (entry.key !== undefined) message.key = entry.key;
  if (entry.settle) message.settle = true;
  return message;
}

/** Time-ordered, unique across processes, and a valid key segment. */
function newMessageId(): string {
  return `${Date.now().toString(36).padStart(9, "0")}-${randomBytes(6).toString("hex")}`;
}
