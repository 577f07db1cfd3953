/**
 * Migration 3: idempotent starts. `start_keys` names the run holding each idempotency key;
 * start_run() claims the key and appends the run's run_created in one transaction, so concurrent
 * starts with one key on any number of instances create exactly one run, and a process killed
 * mid-start leaves either both or neither.
 */
import type { Migration } from "./schema.js";

export const startKeysMigration: Migration = {
  version: 3,
  name: "start keys",
  sql: (n) => `
CREATE TABLE ${n.startKeys} (
  key text PRIMARY KEY,
  run_id text NOT NULL REFERENCES ${n.runs} (run_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  workflow_id text NOT NULL,
  created_at double precision NOT NULL,
  -- NULL: the key stays with its run for ever.
  expires_at double precision
);

-- Claims p_key for the new run unless an unexpired run holds it (outcome start_duplicate, held_by
-- = "<runId>:<workflowId>"), then appends run_created through append_event(). Anything but ok
-- writes nothing.
CREATE FUNCTION ${n.startRun}(
  p_key text, p_expires_at double precision, p_workflow_id text,
  p_run_id text, p_expected_seq integer, p_v smallint, p_type text, p_corr text, p_at double precision,
  p_data json, p_summary jsonb, p_hook json, p_check_hook text, p_wake_delay_ms double precision, p_wake_key text
) RETURNS TABLE (r_outcome text, r_held_by text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_outcome text;
  v_held_by text;
BEGIN
  -- A concurrent claim of the same key waits here for the other transaction's end.
  INSERT INTO ${n.startKeys} AS k (key, run_id, workflow_id, created_at, expires_at)
  VALUES (p_key, p_run_id, p_workflow_id, p_at, p_expires_at)
  ON CONFLICT (key) DO UPDATE SET run_id = EXCLUDED.run_id, workflow_id = EXCLUDED.workflow_id,
    created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE k.expires_at IS NOT NULL AND k.expires_at <= EXCLUDED.created_at;
  IF NOT FOUND THEN
    SELECT run_id || ':' || workflow_id INTO v_held_by FROM ${n.startKeys} WHERE key = p_key;
    r_outcome := 'start_duplicate';
    r_held_by := v_held_by;
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT a.r_outcome, a.r_held_by INTO v_outcome, v_held_by FROM ${n.appendEvent}(
    p_run_id, p_expected_seq, p_v, p_type, p_corr, p_at, p_data, p_summary, p_hook, p_check_hook, p_wake_delay_ms, p_wake_key
  ) AS a;
  IF v_outcome <> 'ok' THEN
    -- Undo the claim: the run was not created.
    RAISE EXCEPTION USING ERRCODE = 'HL001', MESSAGE = v_outcome, DETAIL = coalesce(v_held_by, '');
  END IF;
  r_outcome := v_outcome;
  r_held_by := v_held_by;
  RETURN NEXT;
END
$fn$;
`,
};
