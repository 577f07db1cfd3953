/**
 * @hookline/world-postgres: the World for several app instances sharing one PostgreSQL.
 *
 * ```ts
 * const world = createPostgresWorld({ connectionString: process.env.HOOKLINE_POSTGRES_URL! });
 * await world.start(); // connects, migrates the "hookline" schema, starts listening
 * ```
 */
import type { PostgresWorldOptions } from "./options.js";
import { PostgresWorld } from "./world.js";

export type { PostgresWorldOptions } from "./options.js";
export type { PostgresWorld } from "./world.js";

export function createPostgresWorld(options: PostgresWorldOptions): PostgresWorld {
  return new PostgresWorld(options);
}
