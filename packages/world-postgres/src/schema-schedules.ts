/**
 * Migration 6: cron schedules, one row per schedule id (declared beside a workflow or created at
 * run time). Creating is INSERT … ON CONFLICT DO NOTHING, so concurrent creates with one id on any
 * number of instances store one; a tick's run is made unique by its start key, not here.
 * The number is this change's own: renumber SCHEDULES_MIGRATION alone if it must move.
 */
import type { Migration } from "./schema.js";

export const SCHEDULES_MIGRATION = 6;

export const schedulesMigration: Migration = {
  version: SCHEDULES_MIGRATION,
  name: "schedules",
  sql: (n) => `
CREATE TABLE ${n.schedules} (
  id text PRIMARY KEY,
  workflow_id text NOT NULL,
  cron text NOT NULL,
  timezone text NOT NULL,
  -- json, not jsonb: serialized values keep their text exactly.
  args json NOT NULL,
  origin text NOT NULL CHECK (origin IN ('declared', 'created')),
  created_at double precision NOT NULL,
  -- Ticks at or before this never run: the creation, or the last change of the definition.
  since double precision NOT NULL,
  last_tick double precision,
  last_run_id text
);
`,
};
