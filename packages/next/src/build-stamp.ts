/**
 * What the last workflow build was made from, kept beside its output, so that `next dev` skips
 * the build at start when nothing it depends on changed: the same transform, the same source
 * files in the app (any of them may gain a directive), and every file the bundle was built from,
 * each unchanged in size and modification time. Checking costs one scan and a stat per file,
 * without loading Babel or esbuild; a restart of `next dev` then evaluates next.config quickly.
 *
 * The same knowledge filters the watcher's changes: a file the build did not read and that has
 * no directive (next-env.d.ts, a page) does not trigger a rebuild.
 *
 *   const unchanged = await unchangedBuild({ appDir, distDir, key });   // null: build
 *   if (await affectsWorkflows(changed, unchanged)) await build();
 */
import { existsSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { BuildResult } from "./builder.js";
import { appRouterDir, generatedDir } from "./generate.js";
import { type ScanResult, scan } from "./scanner.js";

export interface StampOptions {
  appDir: string;
  distDir?: string;
  /** What else the build depends on (the transform's fingerprint, its options). */
  key: string;
}

interface Stamp {
  key: string;
  workflowIds: string[];
  /** Every scanned source file, sorted. */
  scanned: string[];
  /** The files the bundle was built from. */
  inputs: string[];
  /** Path → "size:mtime" of the scanned files, the bundle's inputs and outputs it wrote besides the routes (next dev's bundle file). */
  files: Record<string, string>;
}

const STAMP_FILE = join("v1", "_hookline", "build-inputs.json");

export function scanExclusions(appDir: string, distDir = ".next"): string[] {
  return [generatedDir(appRouterDir(appDir)), isAbsolute(distDir) ? distDir : join(appDir, distDir)];
}

async function fingerprint(path: string): Promise<string | null> {
  try {
    const { size, mtimeMs } = await stat(path);
    return `${size}:${mtimeMs}`;
  } catch {
    return null;
  }
}

/** Records what a build in `outDir` was made from (after it wrote its files). */
export async function writeBuildStamp(
  outDir: string,
  key: string,
  build: { scanned: string[]; inputs: string[]; workflowIds: string[]; outputs?: string[] },
): Promise<void> {
  const files: Record<string, string> = {};
  for (const path of new Set([...build.scanned, ...build.inputs, ...(build.outputs ?? [])])) {
    const found = await fingerprint(path);
    if (found) files[path] = found;
  }
  const stamp: Stamp = { key, workflowIds: build.workflowIds, scanned: build.scanned, inputs: build.inputs, files };
  await writeFile(join(outDir, STAMP_FILE), `${JSON.stringify(stamp)}\n`);
}

/** Before the generated files change outside a build: they no longer hold what the stamp describes. */
export async function forgetBuildStamp(outDir: string): Promise<void> {
  await rm(join(outDir, STAMP_FILE), { force: true });
}

/**
 * The last build's result if nothing it depends on changed since; null when a build is needed.
 * `found`: the app scanned just now, when the caller has it.
 */
export async function unchangedBuild(options: StampOptions & { found?: ScanResult }): Promise<BuildResult | null> {
  const outDir = generatedDir(appRouterDir(options.appDir));
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await readFile(join(outDir, STAMP_FILE), "utf8")) as Stamp;
  } catch {
    return null;
  }
  if (stamp.key !== options.key || !existsSync(join(outDir, "v1", "_hookline", "registry.ts"))) return null;
  const { files, roots, scanned } =
    options.found ?? (await scan({ appDir: options.appDir, exclude: scanExclusions(options.appDir, options.distDir) }));
  if (scanned.length !== stamp.scanned.length || scanned.some((path, i) => path !== stamp.scanned[i])) return null;
  for (const [path, recorded] of Object.entries(stamp.files)) {
    if ((await fingerprint(path)) !== recorded) return null;
  }
  return { files, workflowIds: stamp.workflowIds, roots, outDir, inputs: stamp.inputs, written: [], warnings: [] };
}

/** Whether any of the changed files can change the build: one it was made from, or one that now names a directive. */
export async function affectsWorkflows(
  changed: string[],
  last: Pick<BuildResult, "files" | "inputs">,
): Promise<boolean> {
  const known = new Set([...last.inputs, ...last.files.map((file) => file.path)]);
  for (const path of changed) {
    if (known.has(path)) return true;
    if (path.endsWith(".d.ts")) continue;
    const source = await readFile(path, "utf8").catch(() => null);
    // Also a misspelled directive ("use wokflow"), which the build reports: any quoted "use …".
    if (source !== null && /["']use /.test(source)) return true;
  }
  return false;
}
