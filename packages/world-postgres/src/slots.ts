/**
 * Concurrency slots (World.slots) in PostgreSQL: each call is one statement, and the functions of
 * schema-slots.ts do the work under the key's advisory lock, enqueueing the runs they grant a slot
 * to in the same transaction. The enqueue's NOTIFY wakes other instances; this one is woken here
 * (its own notifications are not delivered back to it).
 */
import type { SlotAnswer, SlotRequest, SlotState, WorldSlots } from "@hookline/core/world";
import type pg from "pg";
import type { Names } from "./schema.js";
import { checkHeldSlots, checkRunId, checkSlotRequest, checkText } from "./validate.js";

export interface SlotDeps {
  names(): Names;
  leaseMs(): number;
  query<R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
  /** Runs were enqueued: wake this instance's consumers. */
  woken(): void;
}

export class PostgresSlots implements WorldSlots {
  readonly #deps: SlotDeps;

  constructor(deps: SlotDeps) {
    this.#deps = deps;
  }

  get leaseMs(): number {
    try {
      return this.#deps.leaseMs();
    } catch {
      // Invalid options: start() reports them.
      return 30_000;
    }
  }

  async acquire(request: SlotRequest): Promise<SlotAnswer> {
    const { key, limit, runId, owner } = checkSlotRequest(request);
    const n = this.#deps.names();
    type Row = { r_granted: boolean; r_retry_in_ms: number | null; r_woken: number };
    const result = await this.#deps.query<Row>("acquiring a concurrency slot", {
      text: `SELECT * FROM ${n.acquireSlot}($1, $2, $3, $4, $5)`,
      values: [key, limit, runId, owner, this.leaseMs],
    });
    const row = result.rows[0]!;
    if (row.r_woken > 0) this.#deps.woken();
    return row.r_granted ? { granted: true } : { granted: false, retryInMs: row.r_retry_in_ms };
  }

  async release(key: string, runId: string, owner: string): Promise<void> {
    checkText(key, "the key", "slots.release");
    checkRunId(runId, "slots.release");
    checkText(owner, "the owner", "slots.release");
    const n = this.#deps.names();
    const result = await this.#deps.query<{ woken: number }>("releasing a concurrency slot", {
      text: `SELECT ${n.releaseSlot}($1, $2, $3, $4) AS woken`,
      values: [key, runId, owner, this.leaseMs],
    });
    if ((result.rows[0]?.woken ?? 0) > 0) this.#deps.woken();
  }

  async renew(
    owner: string,
    held: Array<{ key: string; runId: string }>,
  ): Promise<Array<{ key: string; runId: string }>> {
    checkText(owner, "the owner", "slots.renew");
    const slots = checkHeldSlots(held);
    if (slots.length === 0) return [];
    const n = this.#deps.names();
    // Only live leases are extended: one that ran out may already be back in line or granted to another.
    const result = await this.#deps.query<{ key: string; run_id: string }>("renewing concurrency slots", {
      text: `UPDATE ${n.slots} AS s SET lease_until = extract(epoch FROM clock_timestamp()) * 1000 + $4
        FROM unnest($2::text[], $3::text[]) AS h(key, run_id)
        WHERE s.key = h.key AND s.run_id = h.run_id AND s.owner = $1
          AND s.lease_until > extract(epoch FROM clock_timestamp()) * 1000
        RETURNING s.key, s.run_id`,
      values: [owner, slots.map((s) => s.key), slots.map((s) => s.runId), this.leaseMs],
    });
    const renewed = new Set(result.rows.map((row) => `${row.key}\u0000${row.run_id}`));
    return slots.filter((slot) => !renewed.has(`${slot.key}\u0000${slot.runId}`));
  }

  async inspect(key: string): Promise<SlotState> {
    checkText(key, "the key", "slots.inspect");
    const n = this.#deps.names();
    type Row = { run_id: string; lim: number; owner: string | null; lease_until: number | null };
    const result = await this.#deps.query<Row>("reading concurrency slots", {
      text: `SELECT run_id, lim, owner, lease_until FROM ${n.slots} WHERE key = $1 ORDER BY ticket`,
      values: [key],
    });
    const state: SlotState = { holders: [], waiters: [] };
    for (const row of result.rows) {
      if (row.lease_until === null) state.waiters.push({ runId: row.run_id, limit: row.lim });
      else
        state.holders.push({
          runId: row.run_id,
          ...(row.owner === null ? {} : { owner: row.owner }),
          leaseUntil: row.lease_until,
        });
    }
    return state;
  }
}
