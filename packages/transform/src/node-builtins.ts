import { builtinModules } from "node:module";

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/** "fs", "node:fs", "fs/promises", "node:test"...: modules only Node.js provides. */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return BUILTINS.has(specifier);
}

/** The same test as a regular expression, for esbuild's onResolve filter (Go syntax). */
export const NODE_BUILTIN_FILTER = new RegExp(
  `^(?:node:|(?:${[...BUILTINS].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$)`,
);
