/**
 * Migration 2: deliveries found by index, never by reading a log. A dedupe key is unique per run
 * and hook (checked by append_event under the run's row lock, enforced by a unique index), a
 * manual answer is found by its request id, and refused deliveries live in a table of their own,
 * bounded per hook, beside the logs.
 */
import { appendEventFunction } from "./append-function.js";
import type { Migration } from "./schema.js";

export const deliveriesMigration: Migration = {
  version: 2,
  name: "dedupe and response indexes, refused deliveries",
  sql: (n) => `
CREATE UNIQUE INDEX events_dedupe_idx ON ${n.events} (run_id, corr, (data->>'dedupeKey'))
  WHERE type = 'hook_received' AND (data->>'dedupeKey') IS NOT NULL;
CREATE INDEX events_response_idx ON ${n.events} (run_id, (data->>'requestId'), seq) WHERE type = 'webhook_responded';

CREATE TABLE ${n.refusals} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL REFERENCES ${n.runs} (run_id) ON DELETE CASCADE,
  hook_id text NOT NULL,
  status smallint NOT NULL,
  reason text NOT NULL,
  method text NOT NULL,
  headers json NOT NULL,
  address text,
  first_at double precision NOT NULL,
  last_at double precision NOT NULL,
  count integer NOT NULL CHECK (count >= 1)
);
CREATE INDEX refusals_hook_idx ON ${n.refusals} (run_id, hook_id, id DESC);
CREATE INDEX refusals_recent_idx ON ${n.refusals} (last_at DESC);

-- Merges a refusal into the hook's newest entry when it is the same kind, else adds one and keeps
-- the newest p_keep; one writer per hook at a time (an advisory lock), so merges are exact.
CREATE FUNCTION ${n.recordRefusal}(
  p_run_id text, p_hook_id text, p_status integer, p_reason text, p_method text, p_headers json,
  p_address text, p_at double precision, p_count integer, p_keep integer
) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_newest ${n.refusals}%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(${n.refusalLockPrefix} || p_run_id || ':' || p_hook_id, 0));
  SELECT * INTO v_newest FROM ${n.refusals} WHERE run_id = p_run_id AND hook_id = p_hook_id ORDER BY id DESC LIMIT 1;
  IF FOUND AND v_newest.status = p_status AND v_newest.reason = p_reason AND v_newest.method = p_method THEN
    UPDATE ${n.refusals}
    SET count = count + p_count, last_at = greatest(last_at, p_at), headers = p_headers, address = p_address
    WHERE id = v_newest.id;
    RETURN;
  END IF;
  INSERT INTO ${n.refusals} (run_id, hook_id, status, reason, method, headers, address, first_at, last_at, count)
  VALUES (p_run_id, p_hook_id, p_status, p_reason, p_method, p_headers, p_address, p_at, p_at, p_count);
  DELETE FROM ${n.refusals}
  WHERE run_id = p_run_id AND hook_id = p_hook_id AND id <= (
    SELECT id FROM ${n.refusals} WHERE run_id = p_run_id AND hook_id = p_hook_id ORDER BY id DESC OFFSET p_keep LIMIT 1
  );
END
$fn$;

${appendEventFunction(n, { create: "CREATE OR REPLACE", dedupe: true })}
`,
};
