/**
 * Options of the PostgreSQL world, their defaults, and the checks that turn a bad value into a
 * configuration error at start() rather than a failure on the first request.
 */
import { WorldError } from "@hookline/core/world";
import type pg from "pg";

export interface PostgresWorldOptions {
  /** `postgres://user:password@host:5432/database` — usually HOOKLINE_POSTGRES_URL. */
  connectionString: string;
  /** Schema holding Hookline's tables (created and migrated by start()). Default "hookline". */
  schema?: string;
  /** Passed to pg.Pool (max, ssl, idleTimeoutMillis …); `connectionString` wins over its own. */
  pool?: pg.PoolConfig;
  /** How long a delivered queue message, or a concurrency slot, stays leased to its consumer between renewals, ms. Default 30,000. */
  leaseMs?: number;
  /** First redelivery delay after a handler rejects, ms; doubles per attempt. Default 1,000. */
  redeliveryDelayMs?: number;
  /** Upper bound of the redelivery backoff, ms. Default 60,000. */
  maxRedeliveryDelayMs?: number;
  /** How long connecting may take before it fails, ms. Default 10,000. */
  connectTimeoutMs?: number;
  /**
   * A statement running longer than this is cancelled by the server (statement_timeout) and fails
   * with a WorldError; a server that does not answer at all fails it 2 s later. Default 30,000 ms.
   */
  queryTimeoutMs?: number;
  /**
   * Where failures of background work (queue claims and handlers, lease renewal, the LISTEN
   * connection) are reported: once per outage rather than once per retry, and again with an
   * Error "recovered after N failures" when that kind of work succeeds again. Default console.warn.
   */
  onError?: (error: unknown, where: string) => void;
}

export interface ResolvedOptions {
  connectionString: string;
  schema: string;
  pool: pg.PoolConfig;
  leaseMs: number;
  redeliveryDelayMs: number;
  maxRedeliveryDelayMs: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** user@host:port/database, without the password, for messages. */
  target: ConnectionTarget;
}

export interface ConnectionTarget {
  user: string;
  host: string;
  port: string;
  database: string;
}

// Channel names (`<schema>.append`) must fit PostgreSQL's 63-byte identifiers.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

export function resolveOptions(options: PostgresWorldOptions): ResolvedOptions {
  const connectionString = options?.connectionString;
  if (typeof connectionString !== "string" || connectionString.trim() === "") {
    throw configError(
      "no connection string. Set HOOKLINE_POSTGRES_URL (or the world's connectionString option) to the database's URL, e.g. postgres://user:password@db.internal:5432/app.",
    );
  }
  const target = parseTarget(connectionString);
  const schema = options.schema ?? "hookline";
  if (!SCHEMA_NAME.test(schema)) {
    throw configError(
      `the schema name ${JSON.stringify(schema)} is not usable: use letters, digits and underscores, starting with a letter or underscore, at most 40 characters (default "hookline").`,
    );
  }
  const resolved: ResolvedOptions = {
    connectionString,
    schema,
    pool: options.pool ?? {},
    leaseMs: positive(options.leaseMs, "leaseMs", 30_000),
    redeliveryDelayMs: positive(options.redeliveryDelayMs, "redeliveryDelayMs", 1_000),
    maxRedeliveryDelayMs: positive(options.maxRedeliveryDelayMs, "maxRedeliveryDelayMs", 60_000),
    connectTimeoutMs: positive(options.connectTimeoutMs, "connectTimeoutMs", 10_000),
    queryTimeoutMs: positive(options.queryTimeoutMs, "queryTimeoutMs", 30_000),
    target,
  };
  return resolved;
}

/** The settings every connection of this world uses: the pool's and the LISTEN client's. */
export function clientConfig(options: ResolvedOptions): pg.ClientConfig {
  return {
    application_name: "hookline",
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs,
    ...options.pool,
    connectionString: options.connectionString,
  };
}

export function describeTarget(target: ConnectionTarget): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}

function parseTarget(connectionString: string): ConnectionTarget {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw configError(
      `the connection string is not a URL (${redact(connectionString)}). Use the form postgres://user:password@host:5432/database.`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw configError(
      `the connection string must start with postgres:// or postgresql://, got ${url.protocol}// (${redact(connectionString)}).`,
    );
  }
  // A socket path may be given as ?host=/var/run/postgresql instead of a host name.
  const host = decodeURIComponent(url.hostname) || url.searchParams.get("host") || "localhost";
  const user = decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || "postgres";
  const database = decodeURIComponent(url.pathname.slice(1)) || process.env.PGDATABASE || user;
  return { user, host, port: url.port || "5432", database };
}

/** The URL without its password, for messages and logs. */
function redact(connectionString: string): string {
  return connectionString.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw configError(`${name} must be a positive number of milliseconds, got ${String(value)}.`);
  }
  return value;
}

function configError(what: string): WorldError {
  return new WorldError(`PostgreSQL world: ${what}`, { code: "HOOKLINE_CONFIG" });
}
