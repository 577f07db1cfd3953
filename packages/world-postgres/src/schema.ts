/**
 * The world's schema as numbered migrations (applied by migrate.ts). Never edit a released
 * migration: add the next one.
 */

export interface Migration {
  version: number;
  name: string;
  sql(schema: Names): string;
}

/** Quoted names of the schema's objects and its NOTIFY channels. */
export interface Names {
  schema: string;
  runs: string;
  events: string;
  hooks: string;
  queue: string;
  migrations: string;
  appendEvent: string;
  enqueue: string;
  /** NOTIFY channel of appends (payload `runId:seq`). */
  appendChannel: Channel;
  /** NOTIFY channel of enqueued messages (payload: delay in ms). */
  queueChannel: Channel;
}

/** A NOTIFY channel's name, as a SQL string literal and as a quoted identifier (for LISTEN). */
export interface Channel {
  name: string;
  literal: string;
  ident: string;
}

export function namesFor(schema: string): Names {
  const s = `"${schema}"`;
  const channel = (name: string): Channel => ({ name: `${schema}.${name}`, literal: `'${schema}.${name}'`, ident: `"${schema}.${name}"` });
  return {
    schema: s,
    runs: `${s}.runs`,
    events: `${s}.events`,
    hooks: `${s}.hooks`,
    queue: `${s}.queue`,
    migrations: `${s}.migrations`,
    appendEvent: `${s}.append_event`,
    enqueue: `${s}.enqueue`,
    appendChannel: channel("append"),
    queueChannel: channel("queue"),
  };
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "runs, events, hooks, queue, append_event()",
    sql: (n) => `
CREATE TABLE ${n.runs} (
  run_id text PRIMARY KEY,
  workflow_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  created_at double precision NOT NULL,
  updated_at double precision NOT NULL,
  started_at double precision,
  ended_at double precision,
  -- The seq of the run's last event: appends compare-and-set it.
  last_seq integer NOT NULL CHECK (last_seq >= 1)
);
CREATE INDEX runs_created_idx ON ${n.runs} (created_at DESC);
CREATE INDEX runs_status_created_idx ON ${n.runs} (status, created_at DESC);
CREATE INDEX runs_workflow_created_idx ON ${n.runs} (workflow_id, created_at DESC);

CREATE TABLE ${n.events} (
  run_id text NOT NULL REFERENCES ${n.runs} (run_id) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 1),
  v smallint NOT NULL,
  type text NOT NULL,
  corr text,
  at double precision NOT NULL,
  -- json, not jsonb: serialized values keep their key order and text exactly.
  data json NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE ${n.hooks} (
  run_id text NOT NULL REFERENCES ${n.runs} (run_id) ON DELETE CASCADE,
  hook_id text NOT NULL,
  claim_id bigint GENERATED ALWAYS AS IDENTITY,
  token_hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('hook', 'webhook')),
  status text NOT NULL CHECK (status IN ('active', 'ended')),
  created_at double precision NOT NULL,
  expires_at double precision,
  ended_at double precision,
  key_id text,
  metadata json,
  webhook json,
  PRIMARY KEY (run_id, hook_id),
  CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);
-- A token is held by at most one active hook; a second claim conflicts on this index.
CREATE UNIQUE INDEX hooks_active_token_idx ON ${n.hooks} (token_hash) WHERE status = 'active';
-- The most recent holder of an ended token.
CREATE INDEX hooks_token_idx ON ${n.hooks} (token_hash, claim_id DESC);

CREATE TABLE ${n.queue} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL,
  key text,
  -- When the message may next be claimed: its delay, then (while leased) its lease expiry,
  -- then (after a failed handler) its redelivery time.
  due_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  locked_by text,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_due_idx ON ${n.queue} (due_at, id);
-- key dedupe among messages never handed to a consumer.
CREATE UNIQUE INDEX queue_key_undelivered_idx ON ${n.queue} (key) WHERE attempts = 0;

-- Enqueues a drive of a run unless an undelivered message has the same key; wakes consumers.
CREATE FUNCTION ${n.enqueue}(p_run_id text, p_key text, p_delay_ms double precision) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO ${n.queue} (run_id, key, due_at)
  VALUES (p_run_id, p_key, now() + greatest(p_delay_ms, 0) * interval '1 millisecond')
  ON CONFLICT (key) WHERE attempts = 0 DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM pg_notify(${n.queueChannel.literal}, greatest(p_delay_ms, 0)::text);
  RETURN true;
END
$fn$;

-- Appends one event at seq p_expected_seq + 1 and, in the same transaction, updates the run
-- summary and the hook index and enqueues the wake (whose NOTIFY wakes consumers at commit). Outcomes: ok | conflict (seq taken) |
-- gap (expected seq past the end; held_by = last seq) | no_run | hook_conflict (held_by = run)
-- | hook_not_found. Anything but ok writes nothing.
CREATE FUNCTION ${n.appendEvent}(
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
$fn$;
`,
  },
];
