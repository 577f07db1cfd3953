/**
 * The PostgreSQL world's workflow bundles (table of schema-bundles.ts). A sweep is one DELETE whose
 * condition reads the unfinished runs' run_created and run_upgraded events, so a bundle named by
 * a run committed before the statement is never removed.
 */
import {
  type BundleInfo,
  checkBundleId,
  type StoredBundle,
  type SweepOptions,
  type WorldBundles,
} from "@hookline/core/world";
import type pg from "pg";
import type { Names } from "./schema.js";

type Query = <R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

const check = (id: unknown, where: string) => checkBundleId("PostgreSQL world", id, `bundles.${where}`);

export class PostgresBundles implements WorldBundles {
  readonly #query: Query;
  readonly #names: () => Names;

  constructor(query: Query, names: () => Names) {
    this.#query = query;
    this.#names = names;
  }

  async put(id: string, code: string, at: number): Promise<void> {
    check(id, "put");
    await this.#query(`storing bundle ${id.slice(0, 12)}`, {
      text: `INSERT INTO ${this.#names().bundles} (id, code, bytes, stored_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET stored_at = EXCLUDED.stored_at`,
      values: [id, code, Buffer.byteLength(code), at],
    });
  }

  async get(id: string): Promise<StoredBundle | null> {
    check(id, "get");
    const result = await this.#query<{ code: string; stored_at: number }>(`reading bundle ${id.slice(0, 12)}`, {
      text: `SELECT code, stored_at FROM ${this.#names().bundles} WHERE id = $1`,
      values: [id],
    });
    const row = result.rows[0];
    return row ? { id, code: row.code, storedAt: row.stored_at } : null;
  }

  async list(): Promise<BundleInfo[]> {
    const result = await this.#query<{ id: string; stored_at: number; bytes: number }>("listing bundles", {
      text: `SELECT id, stored_at, bytes FROM ${this.#names().bundles} ORDER BY id`,
    });
    return result.rows.map((row) => ({ id: row.id, storedAt: row.stored_at, bytes: row.bytes }));
  }

  async sweep({ keep, storedBefore }: SweepOptions): Promise<string[]> {
    const n = this.#names();
    const result = await this.#query<{ id: string }>("sweeping bundles", {
      text: `DELETE FROM ${n.bundles} AS b
        WHERE b.stored_at < $2 AND NOT (b.id = ANY($1::text[]))
          AND NOT EXISTS (
            SELECT 1 FROM ${n.runs} AS r JOIN ${n.events} AS e ON e.run_id = r.run_id
            WHERE r.status IN ('pending', 'running') AND e.type IN ('run_created', 'run_upgraded') AND e.data->>'bundleId' = b.id
          )
        RETURNING b.id`,
      values: [keep, storedBefore],
    });
    return result.rows.map((row) => row.id);
  }
}
