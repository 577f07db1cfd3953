/**
 * A fresh database per test file (or, when the server's user may not create databases, a fresh
 * schema in the given one), so files run in parallel without seeing each other's rows.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  /** Connection string of the fresh database. */
  url: string;
  /** The schema worlds should use: "hookline" in a fresh database, a unique one otherwise. */
  schema: string;
  /** The server's admin URL it was created through. */
  serverUrl: string;
  /** Runs SQL as the admin user, in this database. */
  admin<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

export async function createTestDatabase(serverUrl: string, label = "test"): Promise<TestDatabase> {
  // HOOKLINE_TEST_DATABASE_PREFIX: on a shared server, each user's databases under a name of its own.
  const prefix = process.env.HOOKLINE_TEST_DATABASE_PREFIX ?? "hookline";
  const name = `${prefix}_${label
    .replace(/[^a-z0-9]+/gi, "_")
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  const server = new pg.Client({ connectionString: serverUrl });
  server.on("error", () => {});
  await server.connect();
  let url: string;
  let schema: string;
  let drop: () => Promise<void>;
  try {
    await server.query(`CREATE DATABASE "${name}"`);
    url = withDatabase(serverUrl, name);
    schema = "hookline";
    drop = async () => {
      await withClient(serverUrl, async (client) => {
        await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
      });
    };
  } catch (error) {
    if ((error as { code?: string }).code !== "42501") throw error;
    url = serverUrl;
    schema = name;
    drop = () =>
      withClient(serverUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).then(() => {}));
  } finally {
    await server.end().catch(() => {});
  }
  const adminPool = new pg.Pool({ connectionString: url, max: 4 });
  adminPool.on("error", () => {});
  return {
    url,
    schema,
    serverUrl,
    admin: (text, values) => adminPool.query(text, values),
    async drop() {
      await adminPool.end().catch(() => {});
      await drop();
    },
  };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The same server and database, another user. */
export function withUser(url: string, user: string, password?: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password ?? "";
  return parsed.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}
