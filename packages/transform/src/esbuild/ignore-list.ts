/**
 * The workflow bundle's source map marks Hookline's own sources in `ignoreList` (the source map
 * standard's field for code that is not the author's), so a workflow's error stack can leave the
 * runtime's frames out and show the user's. Hookline's sources are those inside the packages the
 * runtime entries (the sandbox aliases) load: found through the build's import graph, by package
 * folder, since the map may name a package's original sources (its own maps) rather than its dist.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import type { Metafile } from "esbuild";

interface SourceMapPayload {
  sources: string[];
  ignoreList?: number[];
}

function packageRoot(file: string): string | null {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return null;
}

/** The package folders of `entries` (absolute files) and of everything they import in the build. */
function runtimePackages(metafile: Metafile, entries: string[], root: string): string[] {
  const absolute = (input: string) => (isAbsolute(input) ? input : resolve(root, input));
  const byPath = new Map(Object.keys(metafile.inputs).map((input) => [absolute(input), input]));
  const seen = new Set<string>();
  const queue = entries.map((entry) => byPath.get(entry)).filter((input): input is string => input !== undefined);
  while (queue.length > 0) {
    const input = queue.pop()!;
    if (seen.has(input)) continue;
    seen.add(input);
    for (const imported of metafile.inputs[input]?.imports ?? []) if (!imported.external) queue.push(imported.path);
  }
  const roots = new Set<string>();
  for (const input of seen) {
    if (input.includes(":")) continue;
    const dir = packageRoot(absolute(input));
    // The app's own folder is never the runtime's, even when a runtime entry sits inside it (tests).
    if (dir && dir !== root) roots.add(dir + sep);
  }
  return [...roots];
}

/** `map` (esbuild's JSON, sources relative to `root`) with the runtime's sources ignore-listed. */
export function withIgnoreList(
  mapJson: string,
  metafile: Metafile,
  runtimeEntries: string[],
  root: string,
): SourceMapPayload {
  const map = JSON.parse(mapJson) as SourceMapPayload;
  const roots = runtimePackages(metafile, runtimeEntries, root);
  const ignored: number[] = [];
  map.sources.forEach((source, index) => {
    const file = isAbsolute(source) ? source : resolve(root, source);
    if (roots.some((dir) => file.startsWith(dir))) ignored.push(index);
  });
  if (ignored.length > 0) map.ignoreList = ignored;
  return map;
}
