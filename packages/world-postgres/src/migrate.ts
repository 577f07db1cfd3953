/**
 * Applies the schema's migrations: each runs once per database, in its own transaction,
 * recorded in `<schema>.migrations`; instances starting together serialize on an advisory
 * lock, so exactly one applies each migration and the others find it done.
 */
import { WorldError } from "@hookline/core/world";
import type pg from "pg";
import { MIGRATIONS, type Migration, type Names, namesFor } from "./schema.js";

const LOCK_TIMEOUT = "120s";

/**
 * Brings the schema up to date. Fast path without locks or DDL when nothing is pending, so a
 * user with only table privileges can start against a schema an administrator migrated.
 */
export async function migrate(client: pg.Client, schemaName: string): Promise<void> {
  const n = namesFor(schemaName);
  if ((await pendingMigrations(client, n)).length === 0) return;
  await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
  // A session lock, so each migration can commit on its own while the others wait.
  await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`hookline.migrate:${schemaName}`]);
  try {
    const exists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schemaName]);
    // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege even when the schema exists.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${n.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${n.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const migration of await pendingMigrations(client, n)) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql(n));
        await client.query(`INSERT INTO ${n.migrations} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        if ((error as { code?: string }).code === "42501") throw error;
        throw new WorldError(
          `PostgreSQL world: migration ${migration.version} (${migration.name}) of schema "${schemaName}" failed: ${(error as Error).message}. Nothing of it was applied.`,
          { cause: error, code: "HOOKLINE_CONFIG" },
        );
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") {
      throw new WorldError(
        `PostgreSQL world: waited ${LOCK_TIMEOUT} for another instance to finish migrating schema "${schemaName}". If no instance is starting, look for a stuck session holding the lock (pg_locks, locktype 'advisory').`,
        { cause: error, code: "HOOKLINE_CONFIG" },
      );
    }
    throw error;
  } finally {
    await client
      .query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`hookline.migrate:${schemaName}`])
      .catch(() => {});
    await client.query("RESET lock_timeout").catch(() => {});
  }
}

async function pendingMigrations(client: pg.Client, n: Names): Promise<Migration[]> {
  const table = await client.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [
    n.migrations,
  ]);
  if (!table.rows[0]?.present) return MIGRATIONS;
  const applied = await client.query<{ version: number }>(`SELECT version FROM ${n.migrations}`);
  const done = new Set(applied.rows.map((row) => row.version));
  return MIGRATIONS.filter((migration) => !done.has(migration.version));
}

/** Table privileges the world needs at run time; checked at start so a gap fails there. */
const NEEDED: Array<
  [
    keyof Names &
      (
        | "runs"
        | "events"
        | "hooks"
        | "queue"
        | "refusals"
        | "startKeys"
        | "slots"
        | "schedules"
        | "bundles"
        | "streams"
        | "streamChunks"
        | "runCounts"
        | "migrations"
      ),
    string[],
  ]
> = [
  ["migrations", ["SELECT"]],
  ["runs", ["SELECT", "INSERT", "UPDATE"]],
  ["events", ["SELECT", "INSERT"]],
  ["hooks", ["SELECT", "INSERT", "UPDATE"]],
  ["queue", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
  ["refusals", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
  ["startKeys", ["SELECT", "INSERT", "UPDATE"]],
  ["slots", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
  ["schedules", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
  ["bundles", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
  ["streams", ["SELECT", "INSERT", "UPDATE"]],
  ["streamChunks", ["SELECT", "INSERT"]],
  // Written by the runs' trigger, as the user who inserts or updates a run.
  ["runCounts", ["SELECT", "INSERT", "UPDATE"]],
];

/** The privileges this user lacks on the schema, e.g. `INSERT on "hookline".events`. */
export async function missingPrivileges(client: pg.Client, schemaName: string): Promise<string[]> {
  const n = namesFor(schemaName);
  const checks: string[] = [];
  for (const [table, privileges] of NEEDED) {
    for (const privilege of privileges)
      checks.push(
        `has_table_privilege('${n[table]}', '${privilege}') AS "${privilege} on ${n[table].replaceAll('"', "")}"`,
      );
  }
  const usage = await client.query<{ ok: boolean; exists: boolean }>(
    `SELECT n.oid IS NOT NULL AS exists, CASE WHEN n.oid IS NOT NULL THEN has_schema_privilege(n.oid, 'USAGE') END AS ok
     FROM (SELECT 1) AS one LEFT JOIN pg_namespace AS n ON n.nspname = $1`,
    [schemaName],
  );
  if (!usage.rows[0]?.exists) return [];
  if (!usage.rows[0]?.ok) return [`USAGE on schema ${schemaName}`];
  const result = await client.query<Record<string, boolean>>(`SELECT ${checks.join(", ")}`);
  const row = result.rows[0] ?? {};
  return Object.entries(row)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
}
