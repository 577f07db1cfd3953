/**
 * What a world does on its own connection before it serves anything: migrate the schema, then
 * check it holds every privilege it needs, naming the exact ones missing on a schema someone
 * else migrated.
 */
import pg from "pg";
import { isPermissionError, missingPrivilegesError, startError } from "./errors.js";
import { migrate, missingPrivileges } from "./migrate.js";
import type { ResolvedOptions } from "./options.js";

export async function setUpSchema(options: ResolvedOptions, config: pg.ClientConfig): Promise<void> {
  const setup = new pg.Client(config);
  setup.on("error", () => {});
  try {
    await setup.connect();
    try {
      await migrate(setup, options.schema);
    } catch (error) {
      const missing = isPermissionError(error) ? await missingPrivileges(setup, options.schema).catch(() => []) : [];
      throw missing.length > 0 ? missingPrivilegesError(options.target, options.schema, missing) : error;
    }
    const missing = await missingPrivileges(setup, options.schema);
    if (missing.length > 0) throw missingPrivilegesError(options.target, options.schema, missing);
  } catch (error) {
    throw startError(error, options.target, options.schema);
  } finally {
    await setup.end().catch(() => {});
  }
}
