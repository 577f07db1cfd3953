/**
 * Turns driver and server errors into WorldErrors that say what is wrong and what to do.
 * Everything the world throws for a database failure is a WorldError (the runtime and the
 * queue retry those); only the contract's own errors (conflicts, unknown hooks) differ.
 */
import { WorldError } from "@hookline/core/world";
import { type ConnectionTarget, describeTarget } from "./options.js";

interface DriverError {
  code?: string;
  message?: string;
  routine?: string;
}

function details(error: unknown): DriverError {
  if (typeof error !== "object" || error === null) return { message: String(error) };
  const nested = (error as { errors?: unknown[] }).errors;
  // Node reports "localhost" failing on both ::1 and 127.0.0.1 as an AggregateError.
  if (Array.isArray(nested) && nested.length > 0 && !(error as DriverError).code) return details(nested[0]);
  return error as DriverError;
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "EPIPE",
]);

/** Why the world could not connect or migrate at start(), with the fix. */
export function startError(error: unknown, target: ConnectionTarget, schema: string): WorldError {
  if (WorldError.is(error)) return error;
  const { code, message = "" } = details(error);
  const where = describeTarget(target);
  const say = (what: string) => new WorldError(`PostgreSQL world: ${what}`, { cause: error, code: "HOOKLINE_CONFIG" });
  if (code && UNREACHABLE.has(code)) {
    return say(
      `cannot reach the server at ${target.host}:${target.port} (${code}). Is PostgreSQL running there, and are the host and port in HOOKLINE_POSTGRES_URL right?`,
    );
  }
  if (/timeout/i.test(message) && !code) {
    return say(
      `the server at ${target.host}:${target.port} did not answer within the connect timeout. Check that the host and port in HOOKLINE_POSTGRES_URL are a PostgreSQL server reachable from here (firewall, security group), or raise connectTimeoutMs.`,
    );
  }
  switch (code) {
    case "28P01":
      return say(
        `password authentication failed for user "${target.user}" (${where}). Check the user and password in HOOKLINE_POSTGRES_URL.`,
      );
    case "28000":
      return say(
        `the server refused user "${target.user}" (${message}). Check the user name in HOOKLINE_POSTGRES_URL, or create the role (CREATE ROLE "${target.user}" LOGIN PASSWORD '…'), or allow it in pg_hba.conf.`,
      );
    case "3D000":
      return say(
        `database "${target.database}" does not exist on ${target.host}:${target.port}. Create it (CREATE DATABASE "${target.database}"; or \`createdb ${target.database}\`), or fix the database name in HOOKLINE_POSTGRES_URL.`,
      );
    case "42501":
      return say(
        `user "${target.user}" lacks a permission Hookline needs in database "${target.database}": ${message}. Either let it create the schema (GRANT CREATE ON DATABASE "${target.database}" TO "${target.user}";), or start Hookline once with a user that may, then grant this one: GRANT USAGE ON SCHEMA "${schema}" TO "${target.user}"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${target.user}";`,
      );
    case "53300":
      return say(
        `the server at ${target.host}:${target.port} has no free connections (${message}). Lower pool.max on each instance or raise max_connections.`,
      );
    case "57P03":
      return say(
        `the server at ${target.host}:${target.port} is not accepting connections yet (${message}). Start again once it is up.`,
      );
  }
  if (/does not support SSL/i.test(message)) {
    return say(
      `the server at ${target.host}:${target.port} does not support SSL, but the URL asks for it. Remove sslmode=require from HOOKLINE_POSTGRES_URL or enable SSL on the server.`,
    );
  }
  if (/SSL|certificate/i.test(message)) {
    return say(
      `the SSL connection to ${target.host}:${target.port} failed: ${message}. Check sslmode and the server's certificate, or the pool.ssl option.`,
    );
  }
  return say(`could not connect to ${where} and prepare schema "${schema}": ${message || String(error)}`);
}

/** A failed operation after start: the connection dropped, the server restarted, a timeout. */
export function operationError(error: unknown, operation: string): WorldError {
  if (WorldError.is(error)) return error;
  const { code, message = String(error) } = details(error);
  // A statement the server refused or cancelled was rolled back; a connection lost mid-statement
  // leaves the outcome unknown, which the caller settles by reading the log again.
  const outcome =
    code && !code.startsWith("08") && code !== "57P01"
      ? "Nothing was applied."
      : "It may or may not have been applied: read the log again before retrying.";
  return new WorldError(
    `PostgreSQL world: ${operation} failed${code ? ` (${code})` : ""}: ${message}. ${outcome} If this persists, check that the database is up and reachable.`,
    { cause: error },
  );
}

export function isPermissionError(error: unknown): boolean {
  return details(error).code === "42501";
}

/** The user can reach the schema but lacks privileges on its objects: list them and the GRANTs. */
export function missingPrivilegesError(target: ConnectionTarget, schema: string, missing: string[]): WorldError {
  const user = target.user;
  return new WorldError(
    `PostgreSQL world: user "${user}" (${describeTarget(target)}) lacks ${missing.join(", ")}. Grant them, e.g. GRANT USAGE ON SCHEMA "${schema}" TO "${user}"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${user}";`,
    { code: "HOOKLINE_CONFIG" },
  );
}
