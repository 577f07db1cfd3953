/** The statements of the PostgreSQL world's streams (see schema-streams.ts), prepared once per connection. */
import type { Names } from "./schema.js";
import type { Statement } from "./statements.js";

export interface StreamStatements {
  /** $1 run id, $2 namespace, $3 chunks (UTF-8 bytes) → one row `first` (no row: the stream is closed). */
  write: Statement;
  /** $1 run id, $2 namespace, $3 start index, $4 limit → idx, data. */
  read: Statement;
  /** $1 run id, $2 namespace → next_index, closed (no row: never written). */
  info: Statement;
  /** $1 run id, $2 namespace. */
  close: Statement;
  /** $1 run id → namespace. */
  list: Statement;
}

export function streamStatementsFor(n: Names): StreamStatements {
  const named = (name: string, text: string): Statement => ({ name: `hookline-stream-${name}:${n.schema}`, text });
  return {
    write: named(
      "write",
      `WITH s AS (
        INSERT INTO ${n.streams} AS s (run_id, namespace, next_index) VALUES ($1, $2, cardinality($3::bytea[]))
        ON CONFLICT (run_id, namespace) DO UPDATE SET next_index = s.next_index + cardinality($3::bytea[]) WHERE NOT s.closed
        RETURNING s.next_index - cardinality($3::bytea[]) AS first
      ), chunks AS (
        INSERT INTO ${n.streamChunks} (run_id, namespace, idx, data)
        SELECT $1, $2, s.first + c.n - 1, c.data FROM s, unnest($3::bytea[]) WITH ORDINALITY AS c (data, n)
      )
      SELECT first FROM s`,
    ),
    read: named(
      "read",
      `SELECT idx, data FROM ${n.streamChunks} WHERE run_id = $1 AND namespace = $2 AND idx >= $3 ORDER BY idx LIMIT $4`,
    ),
    info: named("info", `SELECT next_index, closed FROM ${n.streams} WHERE run_id = $1 AND namespace = $2`),
    close: named(
      "close",
      `INSERT INTO ${n.streams} (run_id, namespace, next_index, closed) VALUES ($1, $2, 0, true)
      ON CONFLICT (run_id, namespace) DO UPDATE SET closed = true`,
    ),
    list: named("list", `SELECT namespace FROM ${n.streams} WHERE run_id = $1 ORDER BY namespace COLLATE "C"`),
  };
}
