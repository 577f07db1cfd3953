/**
 * Where the replay sandbox's "hookline" and "hookline/api" come from: the `hookline` package's
 * export condition "hookline-workflow" (and its ./internal/workflow export), resolved from the app
 * as installed. Falls back to @hookline/core's ./workflow exports when the app has no `hookline`
 * package. The sandbox's "hookline/api" starts child runs; the server's would pull the whole
 * runtime (and a PostgreSQL driver) into the bundle.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "@hookline/core";

export type SandboxAlias = Record<"hookline" | "hookline/api" | "hookline/internal/workflow", string>;

type Exports = Record<string, unknown>;

/** The package folder holding `name`, as Node would find it from `fromDir`. */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(dir) === dir) return null;
  }
}

function exportTarget(pkgDir: string, subpath: string, conditions: string[]): string | null {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { exports?: Exports };
  let entry: unknown = pkg.exports?.[subpath];
  while (entry && typeof entry === "object") {
    const next: string | undefined = conditions.find((c) => c in (entry as object));
    if (!next) return null;
    entry = (entry as Exports)[next];
  }
  return typeof entry === "string" ? join(pkgDir, entry) : null;
}

const ESM = ["import", "default"];

export function resolveSandboxAlias(appDir: string): SandboxAlias {
  const hookline = packageDir("hookline", appDir);
  if (hookline) {
    const main = exportTarget(hookline, ".", ["hookline-workflow", ...ESM]);
    const api = exportTarget(hookline, "./api", ["hookline-workflow", ...ESM]);
    const internal = exportTarget(hookline, "./internal/workflow", ESM);
    if (main && api && internal) return { hookline: main, "hookline/api": api, "hookline/internal/workflow": internal };
  }
  // An app that depends on @hookline/core directly (no `hookline` package).
  const core = packageDir("@hookline/core", appDir);
  if (core) {
    const main = exportTarget(core, "./workflow", ESM);
    const api = exportTarget(core, "./workflow/api", ESM);
    const internal = exportTarget(core, "./internal/workflow", ESM);
    if (main && api && internal) return { hookline: main, "hookline/api": api, "hookline/internal/workflow": internal };
  }
  throw new ConfigError(
    `Hookline could not find the "hookline" package from ${appDir}: add it to the app's dependencies (npm install hookline).`,
  );
}
