/**
 * Which world this process uses: HOOKLINE_WORLD ("local", the default, or "postgres"),
 * set directly or by withWorkflow({ world }). The postgres world is loaded only when chosen.
 * HOOKLINE_POSTGRES_LEASE_MS shortens how long work held by a dead instance waits before another
 * takes it over (default 30 s); each instance renews its leases at a third of it.
 */
import { ConfigError } from "@hookline/core";
import type { World } from "@hookline/core/world";
import { createLocalWorld } from "@hookline/world-local";

export async function worldFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<World> {
  const kind = env.HOOKLINE_WORLD ?? "local";
  // Without HOOKLINE_LOCAL_DIR the local world picks `.hookline` in the working directory itself.
  if (kind === "local") return createLocalWorld(env.HOOKLINE_LOCAL_DIR ? { dir: env.HOOKLINE_LOCAL_DIR } : {});
  if (kind === "postgres") {
    const url = env.HOOKLINE_POSTGRES_URL;
    if (!url) {
      throw new ConfigError(
        "HOOKLINE_WORLD is postgres but HOOKLINE_POSTGRES_URL is not set: set it to a connection string, e.g. postgres://user@host:5432/db.",
      );
    }
    const leaseMs = milliseconds(env, "HOOKLINE_POSTGRES_LEASE_MS");
    const { createPostgresWorld } = await loadPostgresWorld();
    return createPostgresWorld({ connectionString: url, ...(leaseMs === undefined ? {} : { leaseMs }) });
  }
  throw new ConfigError(
    `HOOKLINE_WORLD=${JSON.stringify(kind)} is not a world Hookline knows: use "local" or "postgres".`,
  );
}

/** The PostgreSQL world is a package of its own, so that local-world apps do not install PostgreSQL's driver. */
async function loadPostgresWorld(): Promise<typeof import("@hookline/world-postgres")> {
  try {
    return await import("@hookline/world-postgres");
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const missing =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && message?.includes("@hookline/world-postgres");
    if (!missing) throw error;
    throw new ConfigError(
      "HOOKLINE_WORLD is postgres but the PostgreSQL world is not installed: run `npm install @hookline/world-postgres` (or your package manager's equivalent) in the app.",
    );
  }
}

function milliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(
      `${name}=${JSON.stringify(text)} is not a positive whole number of milliseconds, e.g. ${name}=30000.`,
    );
  }
  return value;
}
