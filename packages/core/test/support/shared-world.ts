/**
 * A world several processes share: a data dir, or in the "postgres" project a PostgreSQL schema
 * of its own, dropped after the test.
 */
import { mkdtemp } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { ChildWorld } from "./child-process.js";

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

export async function sharedWorld(name: string): Promise<ChildWorld> {
  if (process.env.HOOKLINE_TEST_WORLD !== "postgres")
    return { dir: await mkdtemp(join(tmpdir(), `hookline-${name}-`)) };
  const connectionString = process.env.HOOKLINE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const schema = `${name}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  drops.push(async () => {
    // pg is world-postgres's dependency, not core's.
    const pg = createRequire(new URL("../../../world-postgres/package.json", import.meta.url))("pg") as {
      Client: new (options: {
        connectionString: string;
      }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
    };
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
  });
  return { postgres: { connectionString, schema } };
}
