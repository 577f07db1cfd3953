/**
 * @hookline/world-local: Hookline's default world. Runs, hooks and the queue live in `.hookline/`
 * through unstorage, with a crash-safe filesystem driver (or an in-memory one for tests).
 */
import { LocalWorld } from "./local-world.js";
import type { LocalWorldOptions } from "./options.js";

export type { FsDriverOptions } from "./drivers/fs.js";
export { fsDriver } from "./drivers/fs.js";
export { memoryDriver } from "./drivers/memory.js";
export type { LocalWorld } from "./local-world.js";
export type { LocalWorldOptions } from "./options.js";

export function createLocalWorld(options?: LocalWorldOptions): LocalWorld {
  return new LocalWorld(options);
}
