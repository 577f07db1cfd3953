/**
 * The PostgreSQL world's schedules (table of schema-schedules.ts): every change is one statement,
 * so concurrent creates, declarations and tick records from any number of instances stay whole.
 */
import { type ScheduleRecord, WorldError, type WorldSchedules } from "@hookline/core/world";
import type pg from "pg";
import type { Names } from "./schema.js";

type Query = <R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

interface ScheduleRow {
  id: string;
  workflow_id: string;
  cron: string;
  timezone: string;
  args: unknown;
  origin: "declared" | "created";
  created_at: number;
  since: number;
  last_tick: number | null;
  last_run_id: string | null;
}

const COLUMNS = "id, workflow_id, cron, timezone, args, origin, created_at, since, last_tick, last_run_id";

export class PostgresSchedules implements WorldSchedules {
  readonly #query: Query;
  readonly #names: () => Names;

  constructor(query: Query, names: () => Names) {
    this.#query = query;
    this.#names = names;
  }

  async create(record: ScheduleRecord): Promise<{ record: ScheduleRecord; created: boolean }> {
    const table = this.#names().schedules;
    for (;;) {
      const inserted = await this.#query<ScheduleRow>(`creating schedule "${checkId(record.id)}"`, {
        text: `INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
        values: values(record),
      });
      if (inserted.rows[0]) return { record: toRecord(inserted.rows[0]), created: true };
      const existing = await this.get(record.id);
      if (existing) return { record: existing, created: false };
      // Deleted between the two statements: try again.
    }
  }

  async declare(record: ScheduleRecord): Promise<void> {
    const table = this.#names().schedules;
    await this.#query(`declaring schedule "${checkId(record.id)}"`, {
      text: `INSERT INTO ${table} AS s (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)
        ON CONFLICT (id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
          args = EXCLUDED.args, origin = EXCLUDED.origin,
          since = CASE WHEN s.workflow_id = EXCLUDED.workflow_id AND s.cron = EXCLUDED.cron AND s.timezone = EXCLUDED.timezone
            AND s.args::text = EXCLUDED.args::text AND s.origin = EXCLUDED.origin THEN s.since ELSE EXCLUDED.since END`,
      values: values(record),
    });
  }

  async get(id: string): Promise<ScheduleRecord | null> {
    const result = await this.#query<ScheduleRow>(`reading schedule "${checkId(id)}"`, {
      text: `SELECT ${COLUMNS} FROM ${this.#names().schedules} WHERE id = $1`,
      values: [id],
    });
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }

  async list(): Promise<ScheduleRecord[]> {
    const result = await this.#query<ScheduleRow>("listing schedules", {
      text: `SELECT ${COLUMNS} FROM ${this.#names().schedules} ORDER BY id COLLATE "C"`,
    });
    return result.rows.map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#query(`deleting schedule "${checkId(id)}"`, {
      text: `DELETE FROM ${this.#names().schedules} WHERE id = $1`,
      values: [id],
    });
    return (result.rowCount ?? 0) > 0;
  }

  async recordTick(id: string, tick: number, runId: string): Promise<void> {
    await this.#query(`recording a tick of schedule "${checkId(id)}"`, {
      text: `UPDATE ${this.#names().schedules} SET last_tick = $2, last_run_id = $3 WHERE id = $1 AND (last_tick IS NULL OR last_tick < $2)`,
      values: [id, tick, runId],
    });
  }
}

function checkId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0)
    throw new WorldError(`PostgreSQL world: a schedule id must be a non-empty string, got ${typeof id}.`);
  return id;
}

function values(record: ScheduleRecord): unknown[] {
  return [
    record.id,
    record.workflowId,
    record.cron,
    record.timezone,
    JSON.stringify(record.args),
    record.origin,
    record.createdAt,
    record.since,
  ];
}

function toRecord(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    cron: row.cron,
    timezone: row.timezone,
    args: row.args,
    origin: row.origin,
    createdAt: Number(row.created_at),
    since: Number(row.since),
    ...(row.last_tick === null ? {} : { lastTick: Number(row.last_tick), lastRunId: row.last_run_id ?? undefined }),
  };
}
