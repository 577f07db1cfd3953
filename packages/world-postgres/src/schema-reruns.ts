/**
 * Migration 10: finds a run's reruns (listRuns({ rerunOf })) through an index over the
 * run_created events that name a run, so the inspector's run page lists every rerun without
 * scanning the workflow's runs. Only reruns are in it, so it stays small. The number is this
 * change's own.
 */
import type { Migration } from "./schema.js";

export const rerunsMigration: Migration = {
  version: 10,
  name: "reruns index",
  sql: (n) => `
CREATE INDEX events_rerun_of_idx ON ${n.events} ((data->>'rerunOf')) WHERE type = 'run_created' AND (data->>'rerunOf') IS NOT NULL;
`,
};
