/**
 * Bad configuration fails at start() — not on the first request — with a WorldError
 * (code HOOKLINE_CONFIG) that names what is wrong and what to do.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { WorldError } from "@hookline/core/world";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresWorld, type PostgresWorld, type PostgresWorldOptions } from "../src/index.js";
import { withDatabase, withUser } from "./support/database.js";
import { ev, newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("config");
const opened: PostgresWorld[] = [];
afterAll(async () => {
  await Promise.all(opened.map((world) => world.close()));
});

/** start()'s error for these options; fails the test if start() succeeds. */
async function startError(options: PostgresWorldOptions): Promise<WorldError> {
  const world = createPostgresWorld({ onError: () => {}, ...options });
  opened.push(world);
  const error = await world.start().then(
    () => {
      throw new Error("start() succeeded");
    },
    (e: unknown) => e,
  );
  expect(WorldError.is(error), String(error)).toBe(true);
  expect((error as WorldError).code).toBe("HOOKLINE_CONFIG");
  return error as WorldError;
}

describe("options", () => {
  it("names a missing connection string and the variable to set", async () => {
    const error = await startError({ connectionString: "" });
    expect(error.message).toMatch(/no connection string.*HOOKLINE_POSTGRES_URL/);
  });

  it("refuses a connection string that is not a PostgreSQL URL, without echoing its password", async () => {
    expect((await startError({ connectionString: "db.internal:5432" })).message).toMatch(
      /not a URL|must start with postgres:\/\//,
    );
    const wrongScheme = await startError({ connectionString: "mysql://app:s3cret@db.internal/app" });
    expect(wrongScheme.message).toMatch(/must start with postgres:\/\/ or postgresql:\/\/, got mysql:/);
    expect(wrongScheme.message).not.toContain("s3cret");
  });

  it("refuses an unusable schema name and non-positive timings", async () => {
    expect((await startError({ connectionString: t.db.url, schema: "my-schema; drop" })).message).toMatch(
      /schema name "my-schema; drop" is not usable/,
    );
    expect((await startError({ connectionString: t.db.url, leaseMs: 0 })).message).toMatch(
      /leaseMs must be a positive number/,
    );
  });

  it("rejects use before start() with a WorldError", async () => {
    const world = createPostgresWorld({ connectionString: t.db.url, schema: t.db.schema });
    opened.push(world);
    const error = await world.getRun("x").catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/call start\(\)/);
  });
});

describe("the server", () => {
  it("is not listening: names host and port", async () => {
    const port = await closedPort();
    const error = await startError({ connectionString: `postgres://app@127.0.0.1:${port}/app` });
    expect(error.message).toContain(`cannot reach the server at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(error.message).toMatch(/Is PostgreSQL running there/);
  });

  it("host does not resolve", async () => {
    const error = await startError({
      connectionString: "postgres://app@no-such-host.invalid:5432/app",
      connectTimeoutMs: 5_000,
    });
    expect(error.message).toMatch(/cannot reach the server at no-such-host\.invalid:5432 \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  it("accepts the connection but never answers: fails after connectTimeoutMs", async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const error = await startError({
        connectionString: `postgres://app@127.0.0.1:${silent.port}/app`,
        connectTimeoutMs: 300,
      });
      expect(error.message).toMatch(/did not answer within the connect timeout/);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      silent.server.close();
    }
  });

  it("has no such database: says how to create it", async () => {
    const error = await startError({ connectionString: withDatabase(t.db.url, "no_such_db_hookline") });
    expect(error.message).toMatch(
      /database "no_such_db_hookline" does not exist.*CREATE DATABASE "no_such_db_hookline"/,
    );
  });

  it("has no such user: says which one", async () => {
    const error = await startError({ connectionString: withUser(t.db.url, "no_such_user_hookline", "pw") });
    // Under password authentication the server does not say whether the role exists.
    expect(error.message).toMatch(
      /refused user "no_such_user_hookline"|password authentication failed for user "no_such_user_hookline"/,
    );
    expect(error.message).toMatch(/HOOKLINE_POSTGRES_URL/);
  });

  it("lets start() succeed once the problem is fixed (the failure is not cached)", async () => {
    const name = `hookline_late_${randomBytes(3).toString("hex")}`;
    const world = createPostgresWorld({ connectionString: withDatabase(t.db.url, name), onError: () => {} });
    opened.push(world);
    await expect(world.start()).rejects.toThrow(/does not exist/);
    await t.db.admin(`CREATE DATABASE "${name}"`);
    try {
      await world.start();
      await world.append(newRunId(), ev.created(), { expectedSeq: 0 });
    } finally {
      await world.close();
      await t.db.admin(`DROP DATABASE "${name}" WITH (FORCE)`);
    }
  });
});

describe("permissions", () => {
  const roles: string[] = [];
  afterAll(async () => {
    for (const role of roles) {
      await t.db.admin(`DROP OWNED BY "${role}"`).catch(() => {});
      await t.db.admin(`DROP ROLE IF EXISTS "${role}"`).catch(() => {});
    }
  });

  async function loginRole(): Promise<{ url: string; role: string } | null> {
    const me = await t.db.admin<{ can: boolean }>(
      "SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user",
    );
    if (!me.rows[0]?.can) return null;
    const role = `hookline_app_${randomBytes(3).toString("hex")}`;
    await t.db.admin(`CREATE ROLE "${role}" LOGIN PASSWORD 'app-password'`);
    roles.push(role);
    return { url: withUser(t.db.url, role, "app-password"), role };
  }

  it("fails when the user may not create the schema, with the GRANTs that fix it", async (context) => {
    const login = await loginRole();
    if (!login) return context.skip();
    const error = await startError({ connectionString: login.url, schema: `fresh_${randomBytes(3).toString("hex")}` });
    expect(error.message).toContain(`user "${login.role}" lacks a permission`);
    expect(error.message).toMatch(/GRANT CREATE ON DATABASE/);
  });

  it("fails when the user lacks table privileges on a migrated schema, listing them; works once granted", async (context) => {
    const login = await loginRole();
    if (!login) return context.skip();
    const schema = `shared_${randomBytes(3).toString("hex")}`;
    const admin = createPostgresWorld({ connectionString: t.db.url, schema });
    opened.push(admin);
    await admin.start();
    await t.db.admin(`GRANT USAGE ON SCHEMA "${schema}" TO "${login.role}"`);

    const error = await startError({ connectionString: login.url, schema });
    expect(error.message).toContain(`INSERT on ${schema}.events`);
    expect(error.message).toMatch(/GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA/);

    await t.db.admin(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${login.role}"`);
    const app = createPostgresWorld({ connectionString: login.url, schema, onError: () => {} });
    opened.push(app);
    await app.start();
    const runId = newRunId();
    await app.append(runId, ev.created(), { expectedSeq: 0, wake: {} });
    await app.append(runId, ev.hookCreated("o1", `h-${runId}`), { expectedSeq: 1 });
    expect((await admin.getRun(runId))?.lastSeq).toBe(2);
    expect(await t.db.admin(`SELECT 1 FROM "${schema}".queue WHERE run_id = $1`, [runId])).toMatchObject({
      rowCount: 1,
    });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A TCP server that accepts connections and never says a word. */
function silentServer(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    server.on("close", () => {
      for (const socket of sockets) socket.destroy();
    });
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
