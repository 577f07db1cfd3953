/**
 * The text of `append_event()`, the one function every append calls (see schema.ts). Migration 1
 * created it; migration 2 replaces it with the dedupe check. A released migration's text must
 * never change, so each migration asks for the variant it shipped.
 */
import type { Names } from "./schema.js";

/** The duplicate-delivery check: under the run's row lock, so exact; through the dedupe index. */
const DEDUPE_CHECK = (n: Names) => `
  IF p_type = 'hook_received' AND (p_data->>'dedupeKey') IS NOT NULL THEN
    SELECT seq::text || ':' || (data->>'requestId') INTO v_holder FROM ${n.events}
    WHERE run_id = p_run_id AND type = 'hook_received' AND corr = p_corr AND (data->>'dedupeKey') = (p_data->>'dedupeKey');
    IF FOUND THEN
      r_outcome := 'duplicate';
      r_held_by := v_holder;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;
`;

export function appendEventFunction(
  n: Names,
  { create, dedupe }: { create: "CREATE" | "CREATE OR REPLACE"; dedupe: boolean },
): string {
  return `-- Appends one event at seq p_expected_seq + 1 and, in the same transaction, updates the run
-- summary and the hook index and enqueues the wake (whose NOTIFY wakes consumers at commit). Outcomes: ok | conflict (seq taken) |
-- gap (expected seq past the end; held_by = last seq) | no_run | hook_conflict (held_by = run)
-- | hook_not_found${dedupe ? " | duplicate (held_by = the first delivery's seq:requestId)" : ""}. Anything but ok writes nothing.
${create} FUNCTION ${n.appendEvent}(
  p_run_id text, p_expected_seq integer, p_v smallint, p_type text, p_corr text, p_at double precision,
  p_data json, p_summary jsonb, p_hook json, p_check_hook text, p_wake_delay_ms double precision, p_wake_key text
) RETURNS TABLE (r_outcome text, r_held_by text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_seq integer := p_expected_seq + 1;
  v_last integer;
  v_holder text;
  v_record json;
  v_tries integer := 0;
BEGIN
  IF p_type = 'run_created' THEN
    INSERT INTO ${n.runs} (run_id, workflow_id, status, created_at, updated_at, started_at, ended_at, last_seq)
    VALUES (
      p_run_id, p_summary->>'workflowId', p_summary->>'status', (p_summary->>'createdAt')::float8,
      (p_summary->>'updatedAt')::float8, (p_summary->>'startedAt')::float8, (p_summary->>'endedAt')::float8, v_seq
    )
    ON CONFLICT (run_id) DO NOTHING;
    IF NOT FOUND THEN
      r_outcome := 'conflict';
      RETURN NEXT;
      RETURN;
    END IF;
  ELSE
    -- The row lock serializes appends to one run; the seq check is the compare-and-set.
    SELECT last_seq INTO v_last FROM ${n.runs} WHERE run_id = p_run_id FOR UPDATE;
    IF NOT FOUND THEN
      r_outcome := 'no_run';
      RETURN NEXT;
      RETURN;
    END IF;
    IF v_last <> p_expected_seq THEN
      r_outcome := CASE WHEN v_last > p_expected_seq THEN 'conflict' ELSE 'gap' END;
      r_held_by := v_last::text;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;
${dedupe ? DEDUPE_CHECK(n) : ""}
  IF p_check_hook IS NOT NULL THEN
    PERFORM 1 FROM ${n.hooks} WHERE run_id = p_run_id AND hook_id = p_check_hook AND status = 'active';
    IF NOT FOUND THEN
      r_outcome := 'hook_not_found';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  IF p_hook->>'kind' = 'claim' THEN
    v_record := p_hook->'record';
    LOOP
      INSERT INTO ${n.hooks} (run_id, hook_id, token_hash, kind, status, created_at, expires_at, key_id, metadata, webhook)
      VALUES (
        p_run_id, v_record->>'hookId', v_record->>'tokenHash', v_record->>'kind', 'active',
        (v_record->>'createdAt')::float8, (v_record->>'expiresAt')::float8, v_record->>'keyId',
        v_record->'metadata', v_record->'webhook'
      )
      ON CONFLICT (token_hash) WHERE status = 'active' DO NOTHING;
      EXIT WHEN FOUND;
      SELECT run_id INTO v_holder FROM ${n.hooks} WHERE token_hash = v_record->>'tokenHash' AND status = 'active';
      IF FOUND THEN
        r_outcome := 'hook_conflict';
        r_held_by := v_holder;
        RETURN NEXT;
        RETURN;
      END IF;
      -- The holder ended between the two statements: claim again.
      v_tries := v_tries + 1;
      IF v_tries > 5 THEN
        RAISE EXCEPTION 'hook token of run % kept changing hands while claiming it', p_run_id;
      END IF;
    END LOOP;
  END IF;

  INSERT INTO ${n.events} (run_id, seq, v, type, corr, at, data)
  VALUES (p_run_id, v_seq, p_v, p_type, p_corr, p_at, p_data);

  IF p_type <> 'run_created' THEN
    -- p_summary holds the fields applyToSummary changed (a key set to null clears the field).
    UPDATE ${n.runs} SET
      last_seq = v_seq,
      workflow_id = CASE WHEN p_summary ? 'workflowId' THEN p_summary->>'workflowId' ELSE workflow_id END,
      status = CASE WHEN p_summary ? 'status' THEN p_summary->>'status' ELSE status END,
      created_at = CASE WHEN p_summary ? 'createdAt' THEN (p_summary->>'createdAt')::float8 ELSE created_at END,
      updated_at = CASE WHEN p_summary ? 'updatedAt' THEN (p_summary->>'updatedAt')::float8 ELSE updated_at END,
      started_at = CASE WHEN p_summary ? 'startedAt' THEN (p_summary->>'startedAt')::float8 ELSE started_at END,
      ended_at = CASE WHEN p_summary ? 'endedAt' THEN (p_summary->>'endedAt')::float8 ELSE ended_at END
    WHERE run_id = p_run_id;
  END IF;

  IF p_hook->>'kind' = 'end' THEN
    UPDATE ${n.hooks} SET status = 'ended', ended_at = p_at
    WHERE run_id = p_run_id AND hook_id = p_hook->>'hookId' AND status = 'active';
  ELSIF p_hook->>'kind' = 'end-all' THEN
    UPDATE ${n.hooks} SET status = 'ended', ended_at = p_at WHERE run_id = p_run_id AND status = 'active';
  END IF;

  -- Other instances hear of the append from a NOTIFY sent after the commit (append-notifier.ts).
  IF p_wake_delay_ms IS NOT NULL THEN
    PERFORM ${n.enqueue}(p_run_id, p_wake_key, p_wake_delay_ms);
  END IF;

  r_outcome := 'ok';
  RETURN NEXT;
END
$fn$;`;
}
