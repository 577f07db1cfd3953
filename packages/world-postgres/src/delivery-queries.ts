/**
 * The PostgreSQL world's delivery reads and refusal writes: a delivery by its dedupe key and an
 * answer by its request id through the events table's partial indexes (migration 2), refused
 * deliveries in their own table, merged and bounded per hook by record_refusal().
 */
import {
  type EventOf,
  type ListRefusalsOptions,
  MAX_REFUSALS_PER_HOOK,
  type NewRefusal,
  type RecordedDelivery,
  type RefusedDelivery,
} from "@hookline/core/world";
import type pg from "pg";
import { type EventRow, REFUSAL_COLUMNS, type RefusalRow, toEvent, toRefusal } from "./rows.js";
import type { Names } from "./schema.js";
import type { Statements } from "./statements.js";
import { checkListRefusals, checkRefusal, checkRunId, checkText } from "./validate.js";

type Query = <R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

export class DeliveryQueries {
  readonly #query: Query;
  readonly #names: () => Names;
  readonly #statements: () => Statements;

  constructor(query: Query, names: () => Names, statements: () => Statements) {
    this.#query = query;
    this.#names = names;
    this.#statements = statements;
  }

  async getDelivery(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    checkRunId(runId, "getDelivery");
    checkText(hookId, "the hook id", "getDelivery");
    checkText(dedupeKey, "the dedupe key", "getDelivery");
    const result = await this.#query<{ seq: number; request_id: string }>("looking up a delivery", {
      ...this.#statements().getDelivery,
      values: [runId, hookId, dedupeKey],
    });
    const row = result.rows[0];
    return row ? { runId, hookId, dedupeKey, requestId: row.request_id, seq: row.seq } : null;
  }

  async getResponse(runId: string, requestId: string): Promise<EventOf<"webhook_responded"> | null> {
    checkRunId(runId, "getResponse");
    checkText(requestId, "the request id", "getResponse");
    const result = await this.#query<EventRow>("looking up a webhook response", {
      ...this.#statements().getResponse,
      values: [runId, requestId],
    });
    const row = result.rows[0];
    const event = row ? toEvent(runId, row) : null;
    return event?.type === "webhook_responded" ? event : null;
  }

  async recordRefusal(refusal: NewRefusal): Promise<void> {
    checkRefusal(refusal);
    const names = this.#names();
    const { runId, hookId, status, reason, method, headers, address, at, count } = refusal;
    await this.#query(`recording a refused delivery to run ${runId}`, {
      name: `hookline-refusal:${names.schema}`,
      text: `SELECT ${names.recordRefusal}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      values: [
        runId,
        hookId,
        status,
        reason,
        method,
        JSON.stringify(headers),
        address ?? null,
        at,
        count,
        MAX_REFUSALS_PER_HOOK,
      ],
    });
  }

  async listRefusals(options?: ListRefusalsOptions): Promise<RefusedDelivery[]> {
    const { runId, hookId, limit } = checkListRefusals(options);
    const names = this.#names();
    const where: string[] = [];
    const values: unknown[] = [];
    if (runId !== undefined) {
      values.push(runId);
      where.push(`run_id = $${values.length}`);
    }
    if (hookId !== undefined) {
      values.push(hookId);
      where.push(`hook_id = $${values.length}`);
    }
    values.push(limit);
    const result = await this.#query<RefusalRow>("listing refused deliveries", {
      text: `SELECT ${REFUSAL_COLUMNS} FROM ${names.refusals} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY last_at DESC, id DESC LIMIT $${values.length}`,
      values,
    });
    return result.rows.map(toRefusal);
  }
}
