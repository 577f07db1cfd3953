/**
 * Bad PostgreSQL configuration fails `next start` at start, with a clear message, not on the
 * first request: the server prints `[hookline] cannot start: <reason>` and exits with code 1.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, type NextServer, startNext } from "./support/next-server";
import {
  createTestDatabase,
  type PostgresServer,
  resolvePostgresServer,
  type TestDatabase,
  withUser,
} from "./support/postgres";
import { productionBuild } from "./support/production-build";

let pgServer: PostgresServer;
let db: TestDatabase;
const role = `hookline_noperm_${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  await productionBuild();
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "config");
});

afterAll(async () => {
  await db?.admin(`DROP ROLE IF EXISTS "${role}"`).catch(() => {});
  await db?.drop().catch(() => {});
  await pgServer?.stop();
});

/** Starts `next start` with `env` and returns its exit code and what it printed, failing if it is still up after 60 s. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const server: NextServer = await startNext("start", { ready: false, env: { HOOKLINE_WORLD: "postgres", ...env } });
  const timeout = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 60_000));
  const code = await Promise.race([server.exited, timeout]);
  await server.stop("SIGKILL");
  if (code === "still running")
    throw new Error(`next start kept running despite the bad configuration:\n${server.output()}`);
  return { code, output: server.output() };
}

it("exits at start when HOOKLINE_POSTGRES_URL is missing, naming the variable", async () => {
  const { code, output } = await failedStart({ HOOKLINE_SECRET: "s".repeat(40) });
  expect(code).toBe(1);
  expect(output).toMatch(/\[hookline\] cannot start: HOOKLINE_WORLD is postgres but HOOKLINE_POSTGRES_URL is not set/);
});

it("exits at start when the server is unreachable, naming host and port and never the password", async () => {
  const port = await freePort();
  const { code, output } = await failedStart({
    HOOKLINE_POSTGRES_URL: `postgres://app:hunter2@127.0.0.1:${port}/shop`,
    HOOKLINE_SECRET: "s".repeat(40),
  });
  expect(code).toBe(1);
  expect(output).toMatch(new RegExp(`\\[hookline\\] cannot start: .*127\\.0\\.0\\.1:${port}`));
  expect(output).not.toContain("hunter2");
});

it("exits at start without HOOKLINE_SECRET, which instances sharing a database must share", async () => {
  const { code, output } = await failedStart({ HOOKLINE_POSTGRES_URL: db.url });
  expect(code).toBe(1);
  expect(output).toMatch(/\[hookline\] cannot start: .*set HOOKLINE_SECRET/);
});

it("exits at start when the user lacks permissions, with the GRANTs that fix it", async (context) => {
  const me = await db.admin<{ can: boolean }>(
    "SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user",
  );
  if (!me.rows[0]?.can) return context.skip();
  await db.admin(`CREATE ROLE "${role}" LOGIN PASSWORD 'app-password'`);
  const { code, output } = await failedStart({
    HOOKLINE_POSTGRES_URL: withUser(db.url, role, "app-password"),
    HOOKLINE_SECRET: "s".repeat(40),
  });
  expect(code).toBe(1);
  expect(output).toContain(`[hookline] cannot start:`);
  expect(output).toContain(`user "${role}" lacks a permission`);
  expect(output).toMatch(/GRANT CREATE ON DATABASE/);
});
