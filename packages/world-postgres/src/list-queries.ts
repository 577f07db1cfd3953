/**
 * The PostgreSQL world's list reads, built from the filters given: runs newest first (by status,
 * workflow, rerun of, and a (createdAt, runId) cursor, served by indexes) and hooks (by run and
 * status).
 */
import type { HookRecord, ListRunsOptions, RunSummary } from "@hookline/core/world";
import type pg from "pg";
import { HOOK_COLUMNS, type HookRow, runColumns, type RunRow, toHook, toRun } from "./rows.js";
import type { Names } from "./schema.js";
import { checkHookStatus, checkListRuns, checkRunId } from "./validate.js";

type Query = <R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

/** `WHERE` clauses over numbered parameters, in the order they are added. */
class Filters {
  readonly where: string[] = [];
  readonly values: unknown[] = [];

  add(clause: (...params: string[]) => string, ...values: unknown[]): void {
    const params = values.map((value) => {
      this.values.push(value);
      return `$${this.values.length}`;
    });
    this.where.push(clause(...params));
  }

  get sql(): string {
    return this.where.length ? `WHERE ${this.where.join(" AND ")}` : "";
  }
}

export class ListQueries {
  readonly #query: Query;
  readonly #names: () => Names;

  constructor(query: Query, names: () => Names) {
    this.#query = query;
    this.#names = names;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const { status, workflowId, rerunOf, limit = 100, before } = options ?? {};
    const statuses = status === undefined ? undefined : Array.isArray(status) ? status : [status];
    checkListRuns(statuses ?? [], limit, workflowId, before, rerunOf);
    const names = this.#names();
    const filters = new Filters();
    if (statuses !== undefined) filters.add((p) => `status = ANY(${p}::text[])`, statuses);
    if (workflowId !== undefined) filters.add((p) => `workflow_id = ${p}`, workflowId);
    // The reruns' ids first, from events_rerun_of_idx (migration 10: only run_created events that
    // name a run are in it), then their runs by primary key: never a pass over the runs.
    if (rerunOf !== undefined) {
      filters.add((p) => `run_id = ANY(ARRAY(SELECT e.run_id FROM ${names.events} AS e WHERE e.type = 'run_created' AND (e.data->>'rerunOf') = ${p}))`, rerunOf);
    }
    if (before !== undefined) filters.add((at, id) => `(created_at, run_id) < (${at}, ${id})`, before.createdAt, before.runId);
    filters.values.push(limit);
    const result = await this.#query<RunRow>("listing runs", {
      text: `SELECT ${runColumns(names.events)} FROM ${names.runs} AS runs ${filters.sql}
        ORDER BY created_at DESC, run_id DESC LIMIT $${filters.values.length}`,
      values: filters.values,
    });
    return result.rows.map(toRun);
  }

  async listHooks(options: { runId?: string; status?: HookRecord["status"] } = {}): Promise<HookRecord[]> {
    const { runId, status } = options ?? {};
    if (runId !== undefined) checkRunId(runId, "listHooks");
    checkHookStatus(status);
    const filters = new Filters();
    if (runId !== undefined) filters.add((p) => `run_id = ${p}`, runId);
    if (status !== undefined) filters.add((p) => `status = ${p}`, status);
    const result = await this.#query<HookRow>("listing hooks", {
      text: `SELECT ${HOOK_COLUMNS} FROM ${this.#names().hooks} ${filters.sql} ORDER BY claim_id`,
      values: filters.values,
    });
    return result.rows.map(toHook);
  }
}
