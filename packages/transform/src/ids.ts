/**
 * Workflow and step ids: `workflow//<path>//<name>` and `step//<path>//<name>`. <path> is the file
 * relative to the project root with forward slashes, so ids match across machines and OSes; a
 * file outside the root (or inside node_modules) is named `<package name>/<path in package>`
 * instead, since its location differs between installs.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

export type FunctionKind = "workflow" | "step";

export function functionId(kind: FunctionKind, path: string, name: string): string {
  return `${kind}//${path}//${name}`;
}

const toPosix = (path: string) => (sep === "/" ? path : path.split(sep).join("/"));

function inside(root: string, file: string): string | null {
  const rel = relative(root, file);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel;
}

const realRoots = new Map<string, string>();

function realRoot(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    try {
      real = realpathSync(root);
    } catch {
      real = root;
    }
    realRoots.set(root, real);
  }
  return real;
}

const packageNames = new Map<string, { dir: string; name: string } | null>();

/** The nearest package.json above `file` that has a name. */
function owningPackage(file: string): { dir: string; name: string } | null {
  const visited: string[] = [];
  let found: { dir: string; name: string } | null = null;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const cached = packageNames.get(dir);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(dir);
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
        if (typeof name === "string" && name !== "") {
          found = { dir, name };
          break;
        }
      } catch {
        // An unreadable package.json names nothing; keep looking above it.
      }
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of visited) packageNames.set(dir, found);
  return found;
}

/** The <path> part of the ids of functions defined in `filename`. */
export function idPath(filename: string, root: string): string {
  const file = resolve(filename);
  const absoluteRoot = resolve(root);
  const rel = inside(absoluteRoot, file) ?? inside(realRoot(absoluteRoot), file);
  if (rel !== null && !rel.split(sep).includes("node_modules")) return toPosix(rel);
  const pkg = owningPackage(file);
  if (pkg) return `${pkg.name}/${toPosix(relative(pkg.dir, file))}`;
  return toPosix(relative(absoluteRoot, file));
}
