/**
 * Tells other instances about appends: NOTIFY `<schema>.append` with payload `seq:type:runId`
 * (see parseAppendPayload, which also reads the `runId:seq` of older instances). The world keeps
 * a second one for its streams' channel, whose payloads are `namespace:runId`.
 *
 * Sent after the append commits, batched, and not inside the append's transaction: a
 * transaction that NOTIFYs holds a database-wide lock through its commit (WAL flush included),
 * which serialized every append of every instance and capped the whole world at roughly one
 * append per fsync (~2,200/s here, whatever the concurrency). onAppend is best effort by
 * contract (readers still read the log), so losing a notification when the process dies right
 * after a commit is acceptable. At most one batch per world is in flight; appends arriving
 * meanwhile go in the next one.
 */
import type pg from "pg";
import type { Channel } from "./schema.js";
import type { Statement } from "./statements.js";

const MAX_BATCH = 1_000;

const PAYLOAD = /^(\d+):([a-z_]+):(.+)$/s;

/** An append notification's run, seq and event type (absent from an older instance's `runId:seq`). */
export function parseAppendPayload(payload: string): { runId: string; seq: number; type?: string } | null {
  const match = PAYLOAD.exec(payload);
  if (match) return { seq: Number(match[1]), type: match[2]!, runId: match[3]! };
  const at = payload.lastIndexOf(":");
  const seq = Number(payload.slice(at + 1));
  return at > 0 && Number.isInteger(seq) ? { runId: payload.slice(0, at), seq } : null;
}

export class AppendNotifier {
  readonly #statement: Statement;
  readonly #channel: Channel;
  readonly #query: (config: pg.QueryConfig) => Promise<unknown>;
  readonly #report: (error: unknown | null) => void;
  #pending: string[] = [];
  #scheduled = false;
  #flushing: Promise<void> | null = null;

  /** `report(null)` after a batch went out, `report(error)` after one failed (and was dropped). */
  constructor(
    statement: Statement,
    channel: Channel,
    query: (config: pg.QueryConfig) => Promise<unknown>,
    report: (error: unknown | null) => void,
  ) {
    this.#statement = statement;
    this.#channel = channel;
    this.#query = query;
    this.#report = report;
  }

  notify(runId: string, seq: number, type: string): void {
    this.send(`${seq}:${type}:${runId}`);
  }

  /** Queues one payload for the channel (the stream channel's `namespace:runId`, say). */
  send(payload: string): void {
    this.#pending.push(payload);
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // Appends made in the same turn of the event loop share one NOTIFY transaction.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushing ??= this.#flush();
    });
  }

  /** Resolves once everything notified so far was sent (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing || this.#scheduled) {
      if (this.#flushing) await this.#flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        try {
          await this.#query({
            ...this.#statement,
            values: [this.#channel.name, batch],
          });
          this.#report(null);
        } catch (error) {
          this.#report(error);
        }
      }
    } finally {
      this.#flushing = null;
    }
  }
}
