/**
 * The local world's data directory: made (mode 0700) and checked usable, and kept out of git,
 * since it holds the deployment secret: a `.gitignore` of `*` goes into a folder the world makes,
 * an empty one, or one that already holds a world; never into another folder, nor over one the
 * user wrote.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WorldError } from "@hookline/core/world";
import { LAYOUT_KEY } from "./keys.js";

const GITIGNORE = "# Hookline's local world: runs, their logs and the deployment secret. Never commit it.\n*\n";

export function prepareDirectory(dir: string): void {
  try {
    // Hookline's own folder: one it makes, an empty one, or one that already holds a world.
    // A folder chosen at run time: bundlers must not trace the project through these paths.
    const ours =
      !existsSync(/* turbopackIgnore: true */ dir) ||
      readdirSync(/* turbopackIgnore: true */ dir).length === 0 ||
      existsSync(/* turbopackIgnore: true */ join(/* turbopackIgnore: true */ dir, LAYOUT_KEY));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.R_OK | constants.W_OK);
    // It holds the deployment secret: a routine `git add -A` must not commit it.
    if (ours) writeGitignore(dir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorldError(
      `Local world: cannot use ${dir} as its data directory (${reason}). Pass createLocalWorld({ dir }) — or set HOOKLINE_LOCAL_DIR — to a directory this process can write.`,
      { code: "HOOKLINE_CONFIG", cause: error },
    );
  }
}

function writeGitignore(dir: string): void {
  try {
    writeFileSync(/* turbopackIgnore: true */ join(/* turbopackIgnore: true */ dir, ".gitignore"), GITIGNORE, {
      flag: "wx",
    });
  } catch (error) {
    // One already there is the user's to keep.
    if ((error as { code?: string }).code !== "EEXIST") throw error;
  }
}
