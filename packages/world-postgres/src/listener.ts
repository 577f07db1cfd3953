/**
 * The world's LISTEN connection: one dedicated client (a pooled one would lose its LISTENs when
 * returned). When the connection drops — a PostgreSQL restart, a network cut — it reconnects
 * with backoff, LISTENs again and reports `onReconnect`, because notifications sent while it
 * was away are lost and whoever relies on them must look again.
 */
import pg from "pg";

export interface NotificationHandlers {
  onNotification(channel: string, payload: string, processId: number): void;
  onReconnect(): void;
  report(error: unknown, where: string): void;
  /** Called once the connection is back after report() was called for it. */
  recovered(where: string): void;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
// A silent network cut leaves a socket that never errors; a periodic query finds out.
const HEALTH_CHECK_MS = 30_000;

export class NotificationListener {
  readonly #config: pg.ClientConfig;
  readonly #channels: string[];
  readonly #handlers: NotificationHandlers;
  #client: pg.Client | null = null;
  #closed = false;
  #retryMs = MIN_RETRY_MS;
  #retryTimer: NodeJS.Timeout | null = null;
  readonly #healthTimer: NodeJS.Timeout;

  /** `channels` are quoted identifiers, e.g. `"hookline.append"`. */
  constructor(config: pg.ClientConfig, channels: string[], handlers: NotificationHandlers) {
    this.#config = config;
    this.#channels = channels;
    this.#handlers = handlers;
    this.#healthTimer = setInterval(() => void this.#checkHealth(), HEALTH_CHECK_MS);
    this.#healthTimer.unref();
  }

  /** First connection; its error is thrown (start() turns it into a configuration error). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#healthTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    // Until connected and listening, failures are the caller's to handle (start() or the retry).
    let live = false;
    const drop = (error?: unknown) => {
      if (!live) return;
      live = false;
      if (this.#client === client) this.#client = null;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#handlers.report(error ?? new Error("the LISTEN connection closed"), "LISTEN connection");
      this.#scheduleReconnect();
    };
    client.on("error", (error) => drop(error));
    client.on("end", () => drop());
    client.on("notification", (message) => {
      this.#handlers.onNotification(message.channel, message.payload ?? "", message.processId);
    });
    try {
      await client.connect();
      for (const channel of this.#channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    live = true;
    this.#client = client;
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
    this.#retryTimer = setTimeout(async () => {
      this.#retryTimer = null;
      if (this.#closed) return;
      try {
        await this.#connect();
      } catch (error) {
        this.#handlers.report(error, "LISTEN connection");
        this.#scheduleReconnect();
        return;
      }
      if (this.#closed) return;
      this.#retryMs = MIN_RETRY_MS;
      this.#handlers.recovered("LISTEN connection");
      this.#handlers.onReconnect();
    }, delay);
  }

  async #checkHealth(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      await client.query({ text: "SELECT 1", query_timeout: 10_000 } as pg.QueryConfig);
    } catch (error) {
      client.emit("error", error);
    }
  }
}
