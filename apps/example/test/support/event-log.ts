/**
 * What the tests read from the PostgreSQL world's tables: who appended each event (a trigger
 * records the connection's application_name, one per instance), and the counts that say a run's
 * log is complete — contiguous seqs, one outcome per step, one terminal event, last.
 */
import type { TestDatabase } from "./postgres";

/** Records, for every event appended from now on, which instance appended it. Call after the schema is migrated. */
export async function recordWriters(db: TestDatabase): Promise<void> {
  await db.admin(`
    CREATE TABLE IF NOT EXISTS public.event_writers (run_id text, seq int, type text, corr text, writer text, PRIMARY KEY (run_id, seq));
    CREATE OR REPLACE FUNCTION public.note_event_writer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO public.event_writers VALUES (NEW.run_id, NEW.seq, NEW.type, NEW.corr, current_setting('application_name'));
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS note_event_writer ON ${db.schema}.events;
    CREATE TRIGGER note_event_writer AFTER INSERT ON ${db.schema}.events FOR EACH ROW EXECUTE FUNCTION public.note_event_writer();
  `);
}

export interface WrittenEvent {
  run_id: string;
  seq: number;
  type: string;
  corr: string | null;
  writer: string;
  /** step_started's attempt, step ids, request ids: what the checks need from `data`. */
  attempt: number | null;
  step: string | null;
  request_id: string | null;
}

/** Every event of these runs with its writer, in log order. */
export async function eventsWithWriters(db: TestDatabase, runIds: string[]): Promise<WrittenEvent[]> {
  const { rows } = await db.admin<WrittenEvent>(
    `SELECT e.run_id, e.seq, e.type, e.corr, coalesce(w.writer, '?') AS writer,
            (e.data->>'attempt')::int AS attempt, e.data->>'stepId' AS step, e.data->>'requestId' AS request_id
       FROM ${db.schema}.events e LEFT JOIN public.event_writers w USING (run_id, seq)
      WHERE e.run_id = ANY($1) ORDER BY e.run_id, e.seq`,
    [runIds],
  );
  return rows;
}

export interface LogProblems {
  /** Runs whose seqs are not 1..n, or whose summary's last_seq is not n. */
  gaps: string[];
  /** (run, corr) pairs with more than one step_completed, or a step started but never settled. */
  steps: string[];
  /** Runs without exactly one terminal event as their last event. */
  terminal: string[];
  /** Webhook deliveries recorded twice (same dedupe key). */
  deliveries: string[];
}

/** Counts, in the database, everything that would show a duplicate or missing event. */
export async function logProblems(db: TestDatabase, runIds: string[]): Promise<LogProblems> {
  const s = db.schema;
  const gaps = await db.admin<{ run_id: string }>(
    `SELECT r.run_id FROM ${s}.runs r JOIN ${s}.events e USING (run_id) WHERE r.run_id = ANY($1)
      GROUP BY r.run_id, r.last_seq HAVING min(e.seq) <> 1 OR max(e.seq) <> count(*) OR r.last_seq <> max(e.seq)
     UNION SELECT id FROM unnest($1::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM ${s}.runs WHERE run_id = id)`,
    [runIds],
  );
  // A step call is settled once: one step_completed, or one step_failed without a retry.
  const steps = await db.admin<{ key: string }>(
    `SELECT run_id || ' ' || corr AS key FROM ${s}.events WHERE run_id = ANY($1) AND type LIKE 'step\\_%'
      GROUP BY run_id, corr
     HAVING count(*) FILTER (WHERE type = 'step_completed' OR (type = 'step_failed' AND data->>'retryAt' IS NULL)) <> 1`,
    [runIds],
  );
  const terminal = await db.admin<{ run_id: string }>(
    `SELECT run_id FROM ${s}.events WHERE run_id = ANY($1) GROUP BY run_id
     HAVING count(*) FILTER (WHERE type IN ('run_completed', 'run_failed', 'run_cancelled')) <> 1
         OR max(seq) FILTER (WHERE type IN ('run_completed', 'run_failed', 'run_cancelled')) <> max(seq)`,
    [runIds],
  );
  const deliveries = await db.admin<{ key: string }>(
    `SELECT run_id || ' ' || (data->>'dedupeKey') AS key FROM ${s}.events
      WHERE run_id = ANY($1) AND type = 'hook_received' AND data->>'dedupeKey' IS NOT NULL
      GROUP BY run_id, data->>'dedupeKey' HAVING count(*) > 1`,
    [runIds],
  );
  return {
    gaps: gaps.rows.map((r) => r.run_id),
    steps: steps.rows.map((r) => r.key),
    terminal: terminal.rows.map((r) => r.run_id),
    deliveries: deliveries.rows.map((r) => r.key),
  };
}

/** step_completed per step id over these runs: what each step call must have recorded once. */
export async function completedSteps(db: TestDatabase, runIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.admin<{ run_id: string; n: number }>(
    `SELECT run_id, count(*)::int AS n FROM ${db.schema}.events WHERE run_id = ANY($1) AND type = 'step_completed' GROUP BY run_id`,
    [runIds],
  );
  return new Map(rows.map((r) => [r.run_id, r.n]));
}
