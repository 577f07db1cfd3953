/**
 * Finds the app's workflow and step files by reading sources for the directive strings, never
 * by bundling the app: every folder of the app (app/, src/, lib/, workflows/ …) and the
 * published folders of workspace packages the app depends on.
 */
import { readdir, readFile, realpath } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { findDirectives, GENERATED_PATH, isSkippedDir, isSourceFile } from "./directives.js";

export interface DirectiveFile {
  /** Absolute path. */
  path: string;
  workflow: boolean;
  step: boolean;
}

export interface ScanOptions {
  /** The Next.js app's folder (where next.config lives). */
  appDir: string;
  /** Absolute folders never scanned, besides node_modules, tools' dot-folders and the generated folder (a custom distDir). */
  exclude?: string[];
  /** Also scan workspace packages the app depends on (default true). */
  workspacePackages?: boolean;
  /** Files without a directive for which this is true are listed in `suspects` (e.g. a misspelled directive). */
  suspect?: (source: string) => boolean;
}

export interface ScanResult {
  /** Files with a directive, sorted by path. */
  files: DirectiveFile[];
  /** The folders that were scanned: what `next dev` watches for new and changed files. */
  roots: string[];
  /** Files without a directive that `suspect` picked out, with their source. */
  suspects: Array<{ path: string; source: string }>;
  /** Every source file read, sorted by path (a build depends on each: see build-stamp.ts). */
  scanned: string[];
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const appDir = resolve(options.appDir);
  const exclude = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const roots = [appDir];
  if (options.workspacePackages !== false) roots.push(...(await workspacePackageDirs(appDir)));
  const found = new Map<string, DirectiveFile>();
  const suspects: ScanResult["suspects"] = [];
  const scanned: string[] = [];
  for (const root of roots) {
    for (const path of await sourceFiles(root, exclude)) {
      if (found.has(path)) continue;
      let source: string;
      try {
        source = await readFile(path, "utf8");
      } catch {
        continue; // deleted while scanning
      }
      scanned.push(path);
      const { workflow, step } = findDirectives(source);
      if (workflow || step) found.set(path, { path, workflow, step });
      else if (options.suspect?.(source)) suspects.push({ path, source });
    }
  }
  const files = [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, roots, suspects, scanned: scanned.sort() };
}

async function sourceFiles(dir: string, exclude: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (isSkippedDir(entry.name) || exclude.has(path) || GENERATED_PATH.test(path + sep)) continue;
        await walk(path);
      } else if (entry.isFile() && isSourceFile(entry.name)) {
        out.push(path);
      }
    }
  };
  await walk(dir);
  return out;
}

interface PackageJson {
  name?: string;
  main?: string;
  module?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

async function readPackageJson(dir: string): Promise<PackageJson | null> {
  try {
    return JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return null;
  }
}

/** Hookline's own packages mention the directives in their code but define no workflows. */
function isHooklinePackage(name: string): boolean {
  return name === "hookline" || name.startsWith("@hookline/");
}

/**
 * The folders to scan in the workspace packages the app depends on, directly or through
 * another workspace package. A dependency is a workspace package when it is linked from
 * outside any node_modules folder (pnpm, npm, yarn and bun workspaces all link them so).
 */
export async function workspacePackageDirs(appDir: string): Promise<string[]> {
  const dirs: string[] = [];
  const visited = new Set<string>([await realpath(appDir).catch(() => appDir)]);
  const visit = async (fromDir: string, pkg: PackageJson): Promise<void> => {
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
    for (const name of names.sort()) {
      if (isHooklinePackage(name)) continue;
      let real: string;
      try {
        real = await realpath(join(fromDir, "node_modules", name));
      } catch {
        continue;
      }
      if (visited.has(real) || real.split(sep).includes("node_modules")) continue;
      visited.add(real);
      const dep = await readPackageJson(real);
      if (!dep) continue;
      dirs.push(...publishedDirs(real, dep));
      await visit(real, dep);
    }
  };
  const app = await readPackageJson(appDir);
  if (app) await visit(appDir, app);
  return dirs;
}

/** Conditions a Next.js server resolves with, in the order it prefers them. */
const SERVER_CONDITIONS = ["react-server", "node", "import", "module", "require", "default"];

/**
 * The folders holding what a package publishes to the app (its `exports`, else `main` /
 * `module`), so that a package exporting `dist/` is not also scanned in `src/` (the two would
 * define the same functions under two ids). The package root when it declares neither.
 */
export function publishedDirs(pkgDir: string, pkg: PackageJson): string[] {
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") {
      targets.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) collect(item);
    } else if (value && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.some(([key]) => key.startsWith("."))) {
        for (const [, target] of entries) collect(target);
        return;
      }
      const condition = SERVER_CONDITIONS.find((c) => c in (value as object));
      if (condition) collect((value as Record<string, unknown>)[condition]);
    }
  };
  collect(pkg.exports);
  if (targets.length === 0) for (const field of [pkg.main, pkg.module]) if (field) targets.push(field);
  const dirs = targets
    .filter((t) => t.startsWith("./") || !t.startsWith("."))
    .map((t) => resolve(pkgDir, dirname(t.split("*")[0]!.replace(/\/$/, "/x"))))
    .filter((d) => d === pkgDir || d.startsWith(pkgDir + sep));
  if (dirs.length === 0) return [pkgDir];
  const unique = [...new Set(dirs)].sort((a, b) => a.length - b.length);
  return unique.filter((d, i) => !unique.slice(0, i).some((outer) => d === outer || d.startsWith(outer + sep)));
}

/** `file` relative to `from`, with forward slashes, as an import specifier. */
export function importSpecifier(from: string, file: string): string {
  let spec = relative(from, file).split(sep).join("/");
  if (!spec.startsWith(".")) spec = `./${spec}`;
  return spec;
}
