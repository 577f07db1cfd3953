/**
 * The PostgreSQL world's list reads, built from the filters given: runs newest first (by status,
 * workflow, rerun of, and a (createdAt, runId) cursor, served by the runs' indexes), run counts,
 * and hooks (by run and status).
 */
import type { HookRecord, ListRunsOptions, RunCount, RunStatus, RunSummary } from "@hookline/core/world";
import type pg from "pg";
import { HOOK_COLUMNS, type HookRow, type RunRow, runColumns, toHook, toRun } from "./rows.js";
import type { Names } from "./schema.js";
import { checkCountRuns, checkHookStatus, checkListRuns, checkRunId } from "./validate.js";

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

/**
 * listRuns' statement: one index read per status, newest first from the cursor
 * (runs_*_list_idx), merged in order; `status = ANY(…)` over one index would read every listed
 * status's runs and sort them.
 */
export function listRunsStatement(
  names: Names,
  options: {
    statuses?: string[];
    workflowId?: string;
    rerunOf?: string;
    limit: number;
    before?: ListRunsOptions["before"];
  },
): { text: string; values: unknown[] } {
  const { statuses, workflowId, rerunOf, limit, before } = options;
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const select = (status: string | undefined) => {
    const where: string[] = [];
    if (status !== undefined) where.push(`status = ${param(status)}`);
    if (workflowId !== undefined) where.push(`workflow_id = ${param(workflowId)}`);
    // The reruns' ids first, from events_rerun_of_idx (migration 10: only run_created events that
    // name a run are in it), then their runs by primary key: never a pass over the runs.
    if (rerunOf !== undefined) {
      where.push(
        `run_id = ANY(ARRAY(SELECT e.run_id FROM ${names.events} AS e WHERE e.type = 'run_created' AND (e.data->>'rerunOf') = ${param(rerunOf)}))`,
      );
    }
    if (before !== undefined)
      where.push(`(created_at, run_id) < (${param(before.createdAt)}::double precision, ${param(before.runId)}::text)`);
    return `SELECT run_id FROM ${names.runs} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, run_id DESC LIMIT ${param(limit)}`;
  };
  const pages = (statuses === undefined ? [undefined] : [...new Set(statuses)]).map((status) => `(${select(status)})`);
  return {
    text: `SELECT ${runColumns(names.events)} FROM ${names.runs} AS runs
      WHERE run_id IN (${pages.join(" UNION ALL ")})
      ORDER BY created_at DESC, run_id DESC LIMIT ${param(limit)}`,
    values,
  };
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
    const result = await this.#query<RunRow>(
      "listing runs",
      listRunsStatement(this.#names(), { statuses, workflowId, rerunOf, limit, before }),
    );
    return result.rows.map(toRun);
  }

  /** Runs per workflow and status, from run_counts (kept by the runs' trigger: see schema-run-lists.ts). */
  async countRuns(options: { workflowId?: string } = {}): Promise<RunCount[]> {
    const { workflowId } = options ?? {};
    checkCountRuns(workflowId);
    const filters = new Filters();
    filters.add(() => "count > 0");
    if (workflowId !== undefined) filters.add((p) => `workflow_id = ${p}`, workflowId);
    const result = await this.#query<{ workflow_id: string; status: RunStatus; count: string }>("counting runs", {
      text: `SELECT workflow_id, status, count FROM ${this.#names().runCounts} ${filters.sql}
        ORDER BY workflow_id, array_position(ARRAY['pending', 'running', 'completed', 'failed', 'cancelled'], status)`,
      values: filters.values,
    });
    return result.rows.map((row) => ({ workflowId: row.workflow_id, status: row.status, count: Number(row.count) }));
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
