/**
 * The fixed statements the world runs on its hot paths, as named (prepared once per connection)
 * queries. Each touches its rows through an index; test/plans.test.ts holds them to that.
 */

import { EVENT_COLUMNS, HOOK_COLUMNS, runColumns } from "./rows.js";
import type { Names } from "./schema.js";

export interface Statement {
  name: string;
  text: string;
}

export interface Statements {
  /** $1 run id, $2 after seq. */
  readEvents: Statement;
  /** $1 run id. */
  getRun: Statement;
  /** $1 token hash: the active holder (partial unique index), else the latest ended one. */
  getHook: Statement;
  /** $1 run id, $2 hook id, $3 dedupe key → seq, request_id (the dedupe index). */
  getDelivery: Statement;
  /** $1 run id, $2 request id → the first webhook_responded for it (the response index). */
  getResponse: Statement;
  /** $1 run id, $2 key, $3 delay ms → inserted. */
  enqueue: Statement;
  /** $1 limit, $2 consumer id, $3 lease ms → claimed rows, then one row with next_due_ms. */
  claim: Statement;
  /** $1 id, $2 consumer id, $3 attempt. */
  ack: Statement;
  /** $1 id, $2 consumer id, $3 attempt, $4 delay ms. */
  retry: Statement;
  /** $1 ids, $2 consumer id, $3 lease ms. */
  renew: Statement;
  /** $1 channel, $2 payloads. */
  notify: Statement;
}

export function statementsFor(n: Names): Statements {
  const named = (name: string, text: string): Statement => ({ name: `hookline-${name}:${n.schema}`, text });
  return {
    readEvents: named("read", `SELECT ${EVENT_COLUMNS} FROM ${n.events} WHERE run_id = $1 AND seq > $2 ORDER BY seq`),
    getRun: named("run", `SELECT ${runColumns(n.events)} FROM ${n.runs} AS runs WHERE run_id = $1`),
    getHook: named(
      "hook",
      `(SELECT ${HOOK_COLUMNS} FROM ${n.hooks} WHERE token_hash = $1 AND status = 'active')
      UNION ALL
      (SELECT ${HOOK_COLUMNS} FROM ${n.hooks} WHERE token_hash = $1 ORDER BY claim_id DESC LIMIT 1)
      LIMIT 1`,
    ),
    getDelivery: named(
      "delivery",
      `SELECT seq, data->>'requestId' AS request_id FROM ${n.events}
      WHERE run_id = $1 AND type = 'hook_received' AND corr = $2 AND (data->>'dedupeKey') = $3::text`,
    ),
    getResponse: named(
      "response",
      `SELECT ${EVENT_COLUMNS} FROM ${n.events}
      WHERE run_id = $1 AND type = 'webhook_responded' AND (data->>'requestId') = $2::text ORDER BY seq LIMIT 1`,
    ),
    enqueue: named("enqueue", `SELECT ${n.enqueue}($1, $2, $3) AS inserted`),
    claim: named(
      "claim",
      `WITH next AS (
        SELECT id FROM ${n.queue} WHERE due_at <= now() ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE ${n.queue} AS q
        SET attempts = q.attempts + 1, locked_by = $2,
            locked_until = now() + $3 * interval '1 millisecond', due_at = now() + $3 * interval '1 millisecond'
        FROM next WHERE q.id = next.id
        RETURNING q.id, q.run_id, q.attempts
      )
      SELECT id::text AS id, run_id, attempts, NULL::float8 AS next_due_ms FROM claimed
      UNION ALL
      SELECT NULL, NULL, NULL, (EXTRACT(EPOCH FROM (min(due_at) - now())) * 1000)::float8
      FROM ${n.queue} WHERE due_at > now()`,
    ),
    ack: named("ack", `DELETE FROM ${n.queue} WHERE id = $1 AND locked_by = $2 AND attempts = $3`),
    retry: named(
      "retry",
      `WITH retry AS (
        UPDATE ${n.queue} SET due_at = now() + $4 * interval '1 millisecond', locked_by = NULL, locked_until = NULL
        WHERE id = $1 AND locked_by = $2 AND attempts = $3 RETURNING 1
      )
      SELECT pg_notify(${n.queueChannel.literal}, $4::text) FROM retry`,
    ),
    renew: named(
      "renew",
      `UPDATE ${n.queue}
      SET locked_until = now() + $3 * interval '1 millisecond', due_at = now() + $3 * interval '1 millisecond'
      WHERE id = ANY($1::bigint[]) AND locked_by = $2`,
    ),
    notify: named("notify", "SELECT count(pg_notify($1, payload)) FROM unnest($2::text[]) AS payload"),
  };
}
