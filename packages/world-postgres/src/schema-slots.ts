/**
 * Migration 7: concurrency slots (start({ concurrency })). `slots` holds, per key, the runs holding
 * a slot (lease_until set) and the runs in line (lease_until NULL, first in line = lowest ticket).
 * acquire_slot() and release_slot() change a key's rows under a transaction-scoped advisory lock
 * of the key, so instances take turns per key, and enqueue the runs they grant a slot to in the
 * same transaction. Times are the database's clock in ms, so every instance reads one clock.
 * A holder whose lease ran out goes back in line at its old place (its process died).
 */
import type { Migration } from "./schema.js";

/** The migration's number; change it here alone if migrations are renumbered. */
export const SLOTS_MIGRATION_VERSION = 7;

export const slotsMigration: Migration = {
  version: SLOTS_MIGRATION_VERSION,
  name: "concurrency slots",
  sql: (n) => `
CREATE TABLE ${n.slots} (
  key text NOT NULL,
  run_id text NOT NULL,
  -- Order of asking within the key.
  ticket bigint NOT NULL,
  -- The limit the run was started with: counted when it is first in line.
  lim integer NOT NULL,
  -- The runtime holding the slot; NULL while granted and not yet taken, or in line.
  owner text,
  -- NULL: in line.
  lease_until double precision,
  PRIMARY KEY (key, run_id)
);
CREATE INDEX ON ${n.slots} (key, ticket);
CREATE INDEX ON ${n.slots} (owner) WHERE owner IS NOT NULL;

-- Expired holders back in line; then grants slots to the first in line while the key has fewer
-- holders than the first waiter's limit, enqueueing each run granted (except p_except). Returns
-- how many were enqueued.
CREATE FUNCTION ${n.settleSlots}(p_key text, p_now double precision, p_lease_ms double precision, p_except text)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_held integer;
  v_woken integer := 0;
  r record;
BEGIN
  UPDATE ${n.slots} SET lease_until = NULL, owner = NULL WHERE key = p_key AND lease_until <= p_now;
  SELECT count(*) INTO v_held FROM ${n.slots} WHERE key = p_key AND lease_until IS NOT NULL;
  FOR r IN SELECT run_id, lim FROM ${n.slots} WHERE key = p_key AND lease_until IS NULL ORDER BY ticket LOOP
    EXIT WHEN v_held >= r.lim;
    UPDATE ${n.slots} SET lease_until = p_now + p_lease_ms WHERE key = p_key AND run_id = r.run_id;
    v_held := v_held + 1;
    IF r.run_id IS DISTINCT FROM p_except THEN
      PERFORM ${n.enqueue}(r.run_id, 'slot:' || r.run_id, 0);
      v_woken := v_woken + 1;
    END IF;
  END LOOP;
  RETURN v_woken;
END
$fn$;

-- r_granted, or when the caller should ask again (ms; NULL: no holder), and how many runs were woken.
CREATE FUNCTION ${n.acquireSlot}(p_key text, p_limit integer, p_run_id text, p_owner text, p_lease_ms double precision)
RETURNS TABLE (r_granted boolean, r_retry_in_ms double precision, r_woken integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now double precision := extract(epoch FROM clock_timestamp()) * 1000;
  v_woken integer;
  v_row record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(${n.slotLockPrefix} || p_key, 0));
  INSERT INTO ${n.slots} (key, run_id, ticket, lim)
  VALUES (p_key, p_run_id, coalesce((SELECT max(ticket) FROM ${n.slots} WHERE key = p_key), 0) + 1, p_limit)
  ON CONFLICT (key, run_id) DO UPDATE SET lim = EXCLUDED.lim;
  v_woken := ${n.settleSlots}(p_key, v_now, p_lease_ms, p_run_id);
  SELECT owner, lease_until INTO v_row FROM ${n.slots} WHERE key = p_key AND run_id = p_run_id;
  IF v_row.lease_until IS NOT NULL AND (v_row.owner IS NULL OR v_row.owner = p_owner) THEN
    UPDATE ${n.slots} SET owner = p_owner, lease_until = v_now + p_lease_ms WHERE key = p_key AND run_id = p_run_id;
    RETURN QUERY SELECT true, NULL::double precision, v_woken;
  ELSIF v_row.lease_until IS NOT NULL THEN
    -- Another runtime drives this run and holds its slot: ask again when that lease ends.
    RETURN QUERY SELECT false, greatest(v_row.lease_until - v_now, 0), v_woken;
  ELSE
    RETURN QUERY SELECT false, greatest(min(lease_until) - v_now, 0), v_woken
      FROM ${n.slots} WHERE key = p_key AND lease_until IS NOT NULL;
  END IF;
END
$fn$;

-- Gives p_run_id's slot back (unless another live runtime holds it) and takes it out of line;
-- returns how many runs were woken.
CREATE FUNCTION ${n.releaseSlot}(p_key text, p_run_id text, p_owner text, p_lease_ms double precision)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_now double precision := extract(epoch FROM clock_timestamp()) * 1000;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(${n.slotLockPrefix} || p_key, 0));
  DELETE FROM ${n.slots} WHERE key = p_key AND run_id = p_run_id
    AND (lease_until IS NULL OR owner IS NULL OR owner = p_owner OR lease_until <= v_now);
  RETURN ${n.settleSlots}(p_key, v_now, p_lease_ms, NULL);
END
$fn$;
`,
};
