/**
 * The queue in PostgreSQL. A message is a row of `<schema>.queue` whose `due_at` says when it may
 * next be claimed. Consumers claim due rows with `FOR UPDATE SKIP LOCKED`, which leases them
 * (`locked_by`, `locked_until`, and `due_at` moved to the lease's expiry), renew the lease while
 * the handler runs, then delete the row (resolved) or push its `due_at` back (rejected). A
 * consumer that dies stops renewing, so its rows fall due again when the lease expires.
 *
 * Nothing polls on a fixed period: a NOTIFY on every enqueue (payload: its delay) wakes
 * consumers at once or arms a timer; after each pass a consumer arms one timer for the earliest
 * future `due_at` (delayed messages, leases about to expire, redeliveries). A slow safety pass
 * only covers notifications lost while the LISTEN connection was down.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Consumer, EnqueueOptions, QueueHandler, QueueMessage, WorldQueue } from "@hookline/core/world";
import type pg from "pg";
import type { ResolvedOptions } from "./options.js";
import type { Statements } from "./statements.js";
import { checkEnqueue, checkFunction, checkRunId, describe, fail } from "./validate.js";

export interface QueueDeps {
  /** The world's schema names and options; throws the configuration error if they are invalid. */
  settings(): {
    statements: Statements;
    options: Pick<ResolvedOptions, "leaseMs" | "redeliveryDelayMs" | "maxRedeliveryDelayMs">;
  };
  /** Resolves once the world has started (never rejects: a failed start may be retried). */
  started: Promise<void>;
  /** Runs a query on the pool; failures are WorldErrors. */
  query<R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
  report(error: unknown, where: string): void;
  recovered(where: string): void;
}

const SAFETY_PASS_MS = 30_000;
const DEFAULT_CONCURRENCY = 16;
const MAX_TIMER_MS = 2_147_483_647;

export class PostgresQueue implements WorldQueue {
  readonly #deps: QueueDeps;
  readonly #consumers = new Set<QueueConsumer>();

  constructor(deps: QueueDeps) {
    this.#deps = deps;
  }

  async enqueue(message: QueueMessage, options?: EnqueueOptions): Promise<void> {
    if (typeof message !== "object" || message === null)
      fail(`queue.enqueue: the message must be an object { runId }, got ${describe(message)}`);
    checkRunId(message.runId, "queue.enqueue");
    const { delayMs, key } = checkEnqueue(options, "queue.enqueue");
    const { statements } = this.#deps.settings();
    const result = await this.#deps.query<{ inserted: boolean }>("enqueue", {
      ...statements.enqueue,
      values: [message.runId, key, delayMs],
    });
    if (result.rows[0]?.inserted) this.wakeIn(delayMs);
  }

  consume(handler: QueueHandler, options: { concurrency?: number } = {}): Consumer {
    checkFunction(handler, "queue.consume: the handler");
    const consumer = new QueueConsumer(this.#deps, handler, options.concurrency ?? DEFAULT_CONCURRENCY, () =>
      this.#consumers.delete(consumer),
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  /** A message becomes due in `delayMs` (announced by NOTIFY or enqueued here). */
  wakeIn(delayMs: number): void {
    for (const consumer of this.#consumers) consumer.wakeIn(delayMs);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
  }
}

interface Claimed {
  id: string;
  run_id: string;
  attempts: number;
}

class QueueConsumer implements Consumer {
  readonly #deps: QueueDeps;
  readonly #handler: QueueHandler;
  readonly #concurrency: number;
  readonly #onStop: () => void;
  readonly #id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Running handlers by message id. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** A claim pass is requested. */
  #wanted = false;
  #pumping: Promise<void> | null = null;
  /** The last pass filled every free slot, so more may be due when one frees up. */
  #backlog = false;
  #stopped = false;
  #started = false;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #renewTimer: NodeJS.Timeout;
  readonly #safetyTimer: NodeJS.Timeout;
  #stopping: Promise<void> | null = null;

  constructor(deps: QueueDeps, handler: QueueHandler, concurrency: number, onStop: () => void) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      fail(`queue.consume: concurrency must be a positive integer, got ${describe(concurrency)}`);
    this.#deps = deps;
    this.#handler = handler;
    this.#concurrency = concurrency;
    this.#onStop = onStop;
    let leaseMs = 30_000;
    try {
      leaseMs = deps.settings().options.leaseMs;
    } catch {
      // Invalid options: start() reports them, and nothing is ever claimed.
    }
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(50, leaseMs / 3));
    this.#renewTimer.unref();
    this.#safetyTimer = setInterval(() => this.wakeIn(0), SAFETY_PASS_MS);
    this.#safetyTimer.unref();
    deps.started.then(() => {
      this.#started = true;
      this.wakeIn(0);
    });
  }

  wakeIn(delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs <= 0) {
      this.#wanted = true;
      if (this.#started) this.#startPump();
      return;
    }
    const at = Date.now() + delayMs;
    if (at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    // +1 ms: a timer may fire a hair before the database's clock reaches due_at.
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.wakeIn(0);
      },
      Math.min(MAX_TIMER_MS, Math.ceil(delayMs) + 1),
    );
    this.#timer.unref();
  }

  #startPump(): void {
    if (this.#pumping || this.#stopped) return;
    const pass = this.#pump();
    this.#pumping = pass;
    // A pass may finish synchronously (no free slot), so it cannot clear #pumping itself.
    void pass.finally(() => {
      if (this.#pumping === pass) this.#pumping = null;
      if (this.#wanted) this.#startPump();
    });
  }

  async #pump(): Promise<void> {
    try {
      let nextDueMs: number | null = null;
      while (this.#wanted && !this.#stopped) {
        this.#wanted = false;
        const free = this.#concurrency - this.#inFlight.size;
        if (free <= 0) {
          this.#backlog = true;
          break;
        }
        const pass = await this.#claim(free);
        for (const row of pass.claimed) this.#deliver(row);
        this.#backlog = pass.claimed.length === free;
        if (this.#backlog) this.#wanted = true;
        nextDueMs = pass.nextDueMs;
      }
      // Nothing more is due now: sleep until the earliest future due_at (a delayed message, a
      // lease about to expire, a redelivery), unless a NOTIFY comes first.
      if (!this.#stopped && !this.#backlog && nextDueMs !== null) this.wakeIn(Math.max(1, nextDueMs));
      if (this.#failures > 0) this.#deps.recovered("claiming queue messages");
      this.#failures = 0;
    } catch (error) {
      this.#failures += 1;
      this.#deps.report(error, "claiming queue messages");
      this.wakeIn(Math.min(5_000, 100 * 2 ** Math.min(this.#failures, 6)));
    }
  }

  /**
   * Claims up to `limit` due messages, leasing them to this consumer, and reads in the same
   * round trip how long until the next one falls due (null: none). The claimed rows' new lease
   * expiries are not visible to that read; they are this consumer's own.
   */
  async #claim(limit: number): Promise<{ claimed: Claimed[]; nextDueMs: number | null }> {
    const { statements, options } = this.#deps.settings();
    type Row = { id: string | null; run_id: string | null; attempts: number | null; next_due_ms: number | null };
    const result = await this.#deps.query<Row>("claiming queue messages", {
      ...statements.claim,
      values: [limit, this.#id, options.leaseMs],
    });
    const claimed: Claimed[] = [];
    let nextDueMs: number | null = null;
    for (const row of result.rows) {
      if (row.id === null) nextDueMs = row.next_due_ms;
      else claimed.push({ id: row.id, run_id: row.run_id!, attempts: row.attempts! });
    }
    return { claimed, nextDueMs };
  }

  #deliver(row: Claimed): void {
    const done = this.#run(row).finally(() => {
      this.#inFlight.delete(row.id);
      if (this.#backlog) this.wakeIn(0);
    });
    this.#inFlight.set(row.id, done);
  }

  async #run(row: Claimed): Promise<void> {
    const attempt = row.attempts;
    let failure: { error: unknown } | null = null;
    try {
      await this.#handler({ runId: row.run_id }, { id: row.id, attempt });
    } catch (error) {
      failure = { error };
    }
    const { statements, options } = this.#deps.settings();
    if (!failure) {
      await this.#finish("acknowledging a queue message", { ...statements.ack, values: [row.id, this.#id, attempt] });
      this.#deps.recovered("queue handler");
      return;
    }
    const delayMs = Math.min(options.maxRedeliveryDelayMs, options.redeliveryDelayMs * 2 ** (attempt - 1));
    this.#deps.report(
      failure.error,
      `queue handler (run ${row.run_id}, attempt ${attempt}; redelivered in ${delayMs} ms)`,
    );
    if (
      await this.#finish("scheduling a redelivery", {
        ...statements.retry,
        values: [row.id, this.#id, attempt, delayMs],
      })
    ) {
      this.wakeIn(delayMs);
    }
  }

  /**
   * Acknowledges or reschedules a message, retrying while the database is unreachable (a handler
   * that failed because PostgreSQL restarted is rescheduled as soon as it is back, not when its
   * lease runs out). Gives up once the lease would have expired anyway, or on stop(): the lease
   * then brings the message back, at-least-once either way.
   */
  async #finish(what: string, config: pg.QueryConfig): Promise<boolean> {
    const giveUpAt = Date.now() + this.#deps.settings().options.leaseMs;
    for (let retry = 0; ; retry++) {
      try {
        await this.#deps.query(what, config);
        if (retry > 0) this.#deps.recovered(what);
        return true;
      } catch (error) {
        this.#deps.report(error, what);
        const pause = Math.min(2_000, 100 * 2 ** retry);
        if (this.#stopped || Date.now() + pause >= giveUpAt) return false;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /** Extends the leases of every message whose handler is still running, in one statement. */
  async #renew(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const { statements, options } = this.#deps.settings();
    try {
      await this.#deps.query("renewing queue leases", {
        ...statements.renew,
        values: [[...this.#inFlight.keys()], this.#id, options.leaseMs],
      });
      this.#deps.recovered("renewing queue leases");
    } catch (error) {
      this.#deps.report(error, "renewing queue leases");
    }
  }

  /** Stops claiming and resolves once every running handler has finished and been acknowledged. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopped = true;
      if (this.#timer) clearTimeout(this.#timer);
      clearInterval(this.#safetyTimer);
      // A pass in progress may still hand out what it claimed; those are finished too.
      while (this.#pumping) await this.#pumping;
      await Promise.all(this.#inFlight.values());
      clearInterval(this.#renewTimer);
      this.#onStop();
    })();
    return this.#stopping;
  }
}
