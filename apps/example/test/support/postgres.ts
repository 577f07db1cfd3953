/**
 * PostgreSQL for the example's tests, chosen like the PostgreSQL world's own tests (its helpers):
 * HOOKLINE_TEST_POSTGRES_URL, else 127.0.0.1:5432 when it answers, else an embedded server.
 * Tests that stop the server start their own embedded one.
 */
export {
  createTestDatabase,
  type TestDatabase,
  withUser,
} from "../../../../packages/world-postgres/test/support/database";
export {
  type EmbeddedPostgres,
  type PostgresServer,
  resolvePostgresServer,
  startEmbeddedPostgres,
} from "../../../../packages/world-postgres/test/support/server";

/** The same URL with `application_name` set, so the database can tell instances apart. */
export function asInstance(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}
