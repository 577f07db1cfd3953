/**
 * The world's pooled connections: a pg.Pool that knows the backend pids of its own connections
 * (their NOTIFYs were already handled in this process) and whose end() waits until every socket
 * is closed, so a caller may drop the database or exit right after close().
 */
import pg from "pg";

export class ConnectionPool {
  readonly pool: pg.Pool;
  readonly #ownPids = new Set<number>();
  #connections = 0;
  #allClosed: (() => void) | null = null;

  /** `idleError` hears an idle connection dropped (a server restart); the pool replaces it on the next checkout. */
  constructor(config: pg.PoolConfig, idleError: (error: Error) => void) {
    this.pool = new pg.Pool(config);
    // Without a listener, an 'error' on the pool would crash the process.
    this.pool.on("error", idleError);
    this.pool.on("connect", (client) => {
      this.#connections += 1;
      const pid = processIdOf(client);
      if (pid !== undefined) this.#ownPids.add(pid);
    });
    this.pool.on("remove", (client) => {
      this.#connections -= 1;
      const pid = processIdOf(client);
      if (pid !== undefined) this.#ownPids.delete(pid);
      if (this.#connections === 0) this.#allClosed?.();
    });
  }

  /** Whether a notification from backend `pid` came from one of this pool's connections. */
  isOwn(pid: number): boolean {
    return this.#ownPids.has(pid);
  }

  /** Ends the pool and waits (at most 5 s) until its sockets are closed: pool.end() resolves before. */
  async end(): Promise<void> {
    const allClosed = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
      setTimeout(resolve, 5_000).unref();
    });
    await this.pool.end().catch(() => {});
    if (this.#connections > 0) await allClosed;
  }
}

function processIdOf(client: pg.PoolClient): number | undefined {
  return (client as unknown as { processID?: number }).processID;
}
