/**
 * Migration 8: workflow bundles, one row per build's bundle, keyed by the SHA-256 of its code.
 * Stored once (INSERT … ON CONFLICT refreshes stored_at only); a sweep deletes in one statement
 * what no unfinished run names (see bundles.ts). The number is this change's own.
 */
import type { Migration } from "./schema.js";

export const BUNDLES_MIGRATION = 8;

export const bundlesMigration: Migration = {
  version: BUNDLES_MIGRATION,
  name: "bundles",
  sql: (n) => `
CREATE TABLE ${n.bundles} (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  code text NOT NULL,
  bytes integer NOT NULL,
  -- When an instance last stored it (ms): a sweep leaves recently stored bundles alone.
  stored_at double precision NOT NULL
);
`,
};
