/**
 * The PostgreSQL world: several app instances share one database. Appends are one call of a
 * database function (compare-and-set on the run's last seq, summary, hook index and wake in one
 * transaction); the queue is a table claimed with SKIP LOCKED; LISTEN/NOTIFY tells every
 * instance about appends and enqueued messages.
 */

import type {
  AppendListener,
  AppendOptions,
  EventOf,
  EventType,
  HookRecord,
  ListRefusalsOptions,
  ListRunsOptions,
  NewEvent,
  NewRefusal,
  RecordedDelivery,
  RefusedDelivery,
  RunCount,
  RunSummary,
  WorkflowEvent,
  World,
} from "@hookline/core/world";
import { WorldError } from "@hookline/core/world";
import type pg from "pg";
import { type AppendRow, appendError, prepareAppend, START_REFUSED_CODE } from "./append.js";
import { AppendNotifier, parseAppendPayload } from "./append-notifier.js";
import { PostgresBundles } from "./bundles.js";
import { ConnectionPool } from "./connection-pool.js";
import { DeliveryQueries } from "./delivery-queries.js";
import { operationError, startError } from "./errors.js";
import { ListQueries } from "./list-queries.js";
import { NotificationListener } from "./listener.js";
import { clientConfig, type PostgresWorldOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { PostgresQueue } from "./queue.js";
import { Reporter } from "./reporter.js";
import { type EventRow, type HookRow, type RunRow, toEvent, toHook, toRun } from "./rows.js";
import { PostgresSchedules } from "./schedules.js";
import { type Channel, type Names, namesFor } from "./schema.js";
import { setUpSchema } from "./schema-setup.js";
import { PostgresSlots } from "./slots.js";
import { type Statements, statementsFor } from "./statements.js";
import { type StreamStatements, streamStatementsFor } from "./stream-statements.js";
import { PostgresStreams, parseStreamPayload } from "./streams.js";
import { Subscribers } from "./subscribers.js";
import { checkAfterSeq, checkRunId, checkTokenHash } from "./validate.js";

export class PostgresWorld implements World {
  readonly name = "postgres";
  readonly queue: PostgresQueue;
  readonly streams: PostgresStreams;
  readonly slots: PostgresSlots;
  readonly schedules: PostgresSchedules;
  readonly bundles: PostgresBundles;
  readonly #reporter: Reporter;
  readonly #listeners: Subscribers;
  readonly #lists = new ListQueries(
    (what, config) => this.#query(what, config),
    () => this.#requireNames(),
  );
  readonly #deliveries = new DeliveryQueries(
    (what, config) => this.#query(what, config),
    () => this.#requireNames(),
    () => this.#requireStatements(),
  );
  /** Null when the options are invalid: start() then throws #configError. */
  readonly #options: ResolvedOptions | null = null;
  readonly #configError: unknown = null;
  readonly #names: Names | null = null;
  readonly #statements: Statements | null = null;
  readonly #streamStatements: StreamStatements | null = null;
  #pool: ConnectionPool | null = null;
  #listener: NotificationListener | null = null;
  #notifier: AppendNotifier | null = null;
  #streamNotifier: AppendNotifier | null = null;
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Resolves when start() first succeeds: consumers created before that wait for it. */
  readonly #started = signal();
  #closed = false;

  constructor(options: PostgresWorldOptions) {
    this.#reporter = new Reporter(options?.onError);
    this.#listeners = new Subscribers((error, where) => this.#reporter.report(error, where));
    try {
      this.#options = resolveOptions(options);
      this.#names = namesFor(this.#options.schema);
      this.#statements = statementsFor(this.#names);
      this.#streamStatements = streamStatementsFor(this.#names);
    } catch (error) {
      this.#configError = error;
    }
    this.queue = new PostgresQueue({
      settings: () => ({ statements: this.#requireStatements(), options: this.#requireOptions() }),
      started: this.#started.promise,
      query: (what, config) => this.#query(what, config),
      report: (error, where) => this.#reporter.report(error, where),
      recovered: (where) => this.#reporter.recovered(where),
    });
    this.slots = new PostgresSlots({
      names: () => this.#requireNames(),
      leaseMs: () => this.#requireOptions().leaseMs,
      query: (what, config) => this.#query(what, config),
      woken: () => this.queue.wakeIn(0),
    });
    this.schedules = new PostgresSchedules(
      (what, config) => this.#query(what, config),
      () => this.#requireNames(),
    );
    this.bundles = new PostgresBundles(
      (what, config) => this.#query(what, config),
      () => this.#requireNames(),
    );
    this.streams = new PostgresStreams({
      statements: () => {
        if (!this.#streamStatements) throw this.#configError;
        return this.#streamStatements;
      },
      query: (what, config) => this.#query(what, config),
      changed: (runId, namespace) => {
        this.#streamNotifier?.send(`${namespace}:${runId}`);
        this.#listeners.streamChanged(runId, namespace);
      },
      subscribe: (listener) => this.#listeners.onStream(listener),
    });
  }

  // -- lifecycle ---------------------------------------------------------------------------------

  /** Checks the options, connects, migrates the schema, checks privileges and starts listening. */
  start(): Promise<void> {
    if (this.#closing)
      return Promise.reject(new WorldError("PostgreSQL world: start() after close(); create a new world instead."));
    this.#starting ??= this.#start().catch((error) => {
      // A later start() may succeed (the server came up): do not cache the failure.
      this.#starting = null;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const options = this.#requireOptions();
    const names = this.#requireNames();
    const config = clientConfig(options);
    await setUpSchema(options, config);
    const pool = new ConnectionPool(
      {
        // The server cancels a statement running too long (so it is not applied); the client-side
        // timeout, a little later, covers a server that stopped answering at all.
        statement_timeout: options.queryTimeoutMs,
        query_timeout: options.queryTimeoutMs + 2_000,
        ...config,
      },
      (error) => {
        if (!this.#closed) this.#reporter.report(error, "idle pooled connection");
      },
    );
    const listener = new NotificationListener(
      config,
      [names.appendChannel.ident, names.queueChannel.ident, names.streamChannel.ident],
      {
        onNotification: (channel, payload, pid) => this.#onNotification(names, channel, payload, pid),
        // Notifications sent while the connection was down are lost: look at the queue again, and
        // tell whoever waits for an event to read again.
        onReconnect: () => {
          this.queue.wakeIn(0);
          this.#listeners.resynced();
        },
        report: (error, where) => this.#reporter.report(error, where),
        recovered: (where) => this.#reporter.recovered(where),
      },
    );
    try {
      await listener.start();
    } catch (error) {
      await pool.end();
      throw startError(error, options.target, options.schema);
    }
    if (this.#closing) {
      await Promise.all([listener.close(), pool.end()]);
      throw new WorldError("PostgreSQL world: closed while starting.");
    }
    this.#pool = pool;
    this.#listener = listener;
    this.#started.resolve();
    this.#notifier = this.#notifierFor(names.appendChannel, "notifying other instances of appends");
    this.#streamNotifier = this.#notifierFor(names.streamChannel, "notifying other instances of stream writes");
  }

  /** Batched NOTIFYs on `channel`, sent after the writes they announce commit; failures are reported as `what`. */
  #notifierFor(channel: Channel, what: string): AppendNotifier {
    return new AppendNotifier(
      this.#requireStatements().notify,
      channel,
      (config) => this.#query(what, config),
      (error) => (error === null ? this.#reporter.recovered(what) : this.#reporter.report(error, what)),
    );
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#starting?.catch(() => {});
    // Consumers finish their running handlers (and acknowledge them) before the pool goes.
    await this.queue.stopAll();
    await this.#notifier?.drain();
    await this.#streamNotifier?.drain();
    this.#closed = true;
    await this.#listener?.close();
    await this.#pool?.end();
    this.#listeners.clear();
  }

  // -- the log -----------------------------------------------------------------------------------

  async append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent> {
    const { query, stored, wakeDelayMs } = prepareAppend(this.#requireNames(), runId, event, options);
    let row: AppendRow | undefined;
    try {
      row = (await this.#query<AppendRow>(`appending ${event.type} to run ${runId}`, query)).rows[0];
    } catch (error) {
      const refused = (error as { cause?: { code?: string; message?: string; detail?: string } }).cause;
      if (refused?.code !== START_REFUSED_CODE) throw error;
      row = { r_outcome: refused.message as AppendRow["r_outcome"], r_held_by: refused.detail || null };
    }
    if (row?.r_outcome !== "ok") throw appendError(row ?? { r_outcome: "conflict", r_held_by: null }, stored);
    if (wakeDelayMs !== undefined) this.queue.wakeIn(wakeDelayMs);
    this.#notifier?.notify(runId, stored.seq, stored.type);
    this.#listeners.appended(runId, stored.seq, stored.type);
    return stored;
  }

  async readEvents(runId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    checkRunId(runId, "readEvents");
    checkAfterSeq(afterSeq, runId);
    const result = await this.#query<EventRow>(`reading events of run ${runId}`, {
      ...this.#requireStatements().readEvents,
      values: [runId, afterSeq],
    });
    return result.rows.map((row) => toEvent(runId, row));
  }

  async getRun(runId: string): Promise<RunSummary | null> {
    checkRunId(runId, "getRun");
    const result = await this.#query<RunRow>(`reading run ${runId}`, {
      ...this.#requireStatements().getRun,
      values: [runId],
    });
    const row = result.rows[0];
    return row ? toRun(row) : null;
  }

  listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    return this.#lists.listRuns(options);
  }

  countRuns(options?: { workflowId?: string }): Promise<RunCount[]> {
    return this.#lists.countRuns(options);
  }

  // -- hooks -------------------------------------------------------------------------------------

  async getHook(tokenHash: string): Promise<HookRecord | null> {
    checkTokenHash(tokenHash, "getHook");
    const result = await this.#query<HookRow>("looking up a hook", {
      ...this.#requireStatements().getHook,
      values: [tokenHash],
    });
    const row = result.rows[0];
    return row ? toHook(row) : null;
  }

  listHooks(options: { runId?: string; status?: HookRecord["status"] } = {}): Promise<HookRecord[]> {
    return this.#lists.listHooks(options);
  }

  // -- deliveries --------------------------------------------------------------------------------

  getDelivery(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    return this.#deliveries.getDelivery(runId, hookId, dedupeKey);
  }

  getResponse(runId: string, requestId: string): Promise<EventOf<"webhook_responded"> | null> {
    return this.#deliveries.getResponse(runId, requestId);
  }

  recordRefusal(refusal: NewRefusal): Promise<void> {
    return this.#deliveries.recordRefusal(refusal);
  }

  listRefusals(options?: ListRefusalsOptions): Promise<RefusedDelivery[]> {
    return this.#deliveries.listRefusals(options);
  }

  // -- notifications -----------------------------------------------------------------------------

  onAppend(listener: AppendListener): () => void {
    return this.#listeners.onAppend(listener);
  }

  onResync(listener: () => void): () => void {
    return this.#listeners.onResync(listener);
  }

  #onNotification(names: Names, channel: string, payload: string, pid: number): void {
    // This world's own appends and enqueues were handled when they returned.
    if (this.#pool?.isOwn(pid)) return;
    if (channel === names.appendChannel.name) {
      const append = parseAppendPayload(payload);
      if (append) this.#listeners.appended(append.runId, append.seq, append.type as EventType | undefined);
    } else if (channel === names.streamChannel.name) {
      const stream = parseStreamPayload(payload);
      if (stream) this.#listeners.streamChanged(stream.runId, stream.namespace);
    } else if (channel === names.queueChannel.name) {
      const delay = Number(payload);
      this.queue.wakeIn(Number.isFinite(delay) ? delay : 0);
    }
  }

  // -- plumbing ----------------------------------------------------------------------------------

  async #ready(): Promise<void> {
    if (this.#closed) throw new WorldError("PostgreSQL world: used after close().");
    if (this.#pool) return;
    if (!this.#starting) throw new WorldError("PostgreSQL world: call start() before using the world.");
    await this.#starting;
  }

  async #query<R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    if (!this.#pool) await this.#ready();
    if (this.#closed) throw new WorldError(`PostgreSQL world: ${what} after close().`);
    try {
      return await this.#pool!.pool.query<R>(config);
    } catch (error) {
      throw operationError(error, what);
    }
  }

  #requireNames(): Names {
    if (!this.#names) throw this.#configError;
    return this.#names;
  }

  #requireStatements(): Statements {
    if (!this.#statements) throw this.#configError;
    return this.#statements;
  }

  #requireOptions(): ResolvedOptions {
    if (!this.#options) throw this.#configError;
    return this.#options;
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
