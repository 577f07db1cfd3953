/**
 * Migration 4: runs' output streams, beside the event log. A stream's row holds its next index
 * and whether it is closed; a write locks that row (INSERT … ON CONFLICT DO UPDATE), takes the
 * next indexes and inserts its chunks in the same statement, so writers on any instance never
 * share an index nor leave a gap, and a write after close inserts nothing.
 */
import type { Migration } from "./schema.js";

export const streamsMigration: Migration = {
  version: 4,
  name: "streams and stream chunks",
  sql: (n) => `
CREATE TABLE ${n.streams} (
  run_id text NOT NULL,
  namespace text NOT NULL,
  next_index integer NOT NULL CHECK (next_index >= 0),
  closed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, namespace)
);

CREATE TABLE ${n.streamChunks} (
  run_id text NOT NULL,
  namespace text NOT NULL,
  idx integer NOT NULL CHECK (idx >= 0),
  -- The runtime's text as UTF-8 bytes: text columns cannot hold a NUL character.
  data bytea NOT NULL,
  PRIMARY KEY (run_id, namespace, idx)
);
`,
};
