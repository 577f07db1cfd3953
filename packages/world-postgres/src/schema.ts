/**
 * The world's schema as numbered migrations (applied by migrate.ts). Never edit a released
 * migration: add the next one.
 */

import { appendEventFunction } from "./append-function.js";
import { bundlesMigration } from "./schema-bundles.js";
import { deliveriesMigration } from "./schema-deliveries.js";
import { rerunsMigration } from "./schema-reruns.js";
import { runListsMigration } from "./schema-run-lists.js";
import { schedulesMigration } from "./schema-schedules.js";
import { slotsMigration } from "./schema-slots.js";
import { startKeysMigration } from "./schema-start-keys.js";
import { streamsMigration } from "./schema-streams.js";

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
  refusals: string;
  startKeys: string;
  /** Concurrency slots: holders and waiters per key (schema-slots.ts). */
  slots: string;
  settleSlots: string;
  acquireSlot: string;
  releaseSlot: string;
  /** A SQL string literal prefixing the per-key lock key of the slot functions. */
  slotLockPrefix: string;
  /** Cron schedules (schema-schedules.ts). */
  schedules: string;
  /** Workflow bundles by content id (schema-bundles.ts). */
  bundles: string;
  /** One row per stream: its next index and whether it is closed. */
  streams: string;
  streamChunks: string;
  runCounts: string;
  countRuns: string;
  migrations: string;
  appendEvent: string;
  enqueue: string;
  recordRefusal: string;
  startRun: string;
  /** A SQL string literal prefixing the per-hook lock key of record_refusal(). */
  refusalLockPrefix: string;
  /** NOTIFY channel of appends (payload `runId:seq`). */
  appendChannel: Channel;
  /** NOTIFY channel of enqueued messages (payload: delay in ms). */
  queueChannel: Channel;
  /** NOTIFY channel of stream writes and closes (payload `namespace:runId`). */
  streamChannel: Channel;
}

/** A NOTIFY channel's name, as a SQL string literal and as a quoted identifier (for LISTEN). */
export interface Channel {
  name: string;
  literal: string;
  ident: string;
}

export function namesFor(schema: string): Names {
  const s = `"${schema}"`;
  const channel = (name: string): Channel => ({
    name: `${schema}.${name}`,
    literal: `'${schema}.${name}'`,
    ident: `"${schema}.${name}"`,
  });
  return {
    schema: s,
    runs: `${s}.runs`,
    events: `${s}.events`,
    hooks: `${s}.hooks`,
    queue: `${s}.queue`,
    refusals: `${s}.refusals`,
    startKeys: `${s}.start_keys`,
    slots: `${s}.slots`,
    settleSlots: `${s}.settle_slots`,
    acquireSlot: `${s}.acquire_slot`,
    releaseSlot: `${s}.release_slot`,
    slotLockPrefix: `'hookline.slot:${schema.replaceAll("'", "''")}:'`,
    schedules: `${s}.schedules`,
    bundles: `${s}.bundles`,
    streams: `${s}.streams`,
    streamChunks: `${s}.stream_chunks`,
    runCounts: `${s}.run_counts`,
    countRuns: `${s}.count_runs`,
    migrations: `${s}.migrations`,
    appendEvent: `${s}.append_event`,
    enqueue: `${s}.enqueue`,
    recordRefusal: `${s}.record_refusal`,
    startRun: `${s}.start_run`,
    refusalLockPrefix: `'hookline.refusal:${schema.replaceAll("'", "''")}:'`,
    appendChannel: channel("append"),
    queueChannel: channel("queue"),
    streamChannel: channel("stream"),
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

${appendEventFunction(n, { create: "CREATE", dedupe: false })}
`,
  },
  deliveriesMigration,
  startKeysMigration,
  // Version 3 belongs to another change (start keys); versions need not be contiguous.
  streamsMigration,
  schedulesMigration,
  slotsMigration,
  bundlesMigration,
  runListsMigration,
  rerunsMigration,
];
