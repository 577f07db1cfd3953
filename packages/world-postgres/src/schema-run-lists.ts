/**
 * Migration 9: runs listed and counted at scale. Every list the inspector and listRuns make —
 * all runs, by status, by workflow, by both — is one index read newest first in the order of the
 * `(created_at, run_id)` cursor, so a page stops after its rows; and `run_counts` holds the runs
 * per workflow and status, kept by a trigger in the transaction that inserts a run or changes
 * its status, so counting reads a few rows instead of every run. The number is this change's own.
 */
import type { Migration } from "./schema.js";

export const RUN_LISTS_MIGRATION = 9;

export const runListsMigration: Migration = {
  version: RUN_LISTS_MIGRATION,
  name: "run list indexes, run_counts",
  sql: (n) => `
CREATE INDEX runs_list_idx ON ${n.runs} (created_at DESC, run_id DESC);
CREATE INDEX runs_status_list_idx ON ${n.runs} (status, created_at DESC, run_id DESC);
CREATE INDEX runs_workflow_list_idx ON ${n.runs} (workflow_id, created_at DESC, run_id DESC);
CREATE INDEX runs_workflow_status_list_idx ON ${n.runs} (workflow_id, status, created_at DESC, run_id DESC);
-- Superseded: the same leading columns without the cursor's run_id.
DROP INDEX ${n.schema}.runs_created_idx;
DROP INDEX ${n.schema}.runs_status_created_idx;
DROP INDEX ${n.schema}.runs_workflow_created_idx;

CREATE TABLE ${n.runCounts} (
  workflow_id text NOT NULL,
  status text NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (workflow_id, status)
);
INSERT INTO ${n.runCounts} (workflow_id, status, count) SELECT workflow_id, status, count(*) FROM ${n.runs} GROUP BY workflow_id, status;

CREATE FUNCTION ${n.countRuns}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE ${n.runCounts} SET count = count - 1 WHERE workflow_id = OLD.workflow_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO ${n.runCounts} AS c (workflow_id, status, count) VALUES (NEW.workflow_id, NEW.status, 1)
    ON CONFLICT (workflow_id, status) DO UPDATE SET count = c.count + 1;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_count_insert_delete AFTER INSERT OR DELETE ON ${n.runs} FOR EACH ROW EXECUTE FUNCTION ${n.countRuns}();
CREATE TRIGGER runs_count_status AFTER UPDATE OF status ON ${n.runs}
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.workflow_id IS DISTINCT FROM NEW.workflow_id) EXECUTE FUNCTION ${n.countRuns}();
`,
};
