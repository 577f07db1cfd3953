/**
 * Stack frames of host code (steps) pointed back at the user's files: a server bundle (Next's
 * `.next/server/chunks/*.js`) ships `<file>.map` beside each chunk, but Next's own stack handling
 * keeps Node from applying them. A frame in a file with such a map gets the original file, line
 * and column (relative to the working directory when inside it); any other frame stays. The
 * frames below the step function's own, and those of Hookline's runtime and of Node's internals,
 * are dropped when the user's own frames remain: they are the plumbing that called the step, not
 * where it failed.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, isAbsolute, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const maps = new Map<string, SourceMap | null>();
/** At most this many maps are kept (a server has a few hundred chunks at most). */
const MAX_MAPS = 500;

function mapFor(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {
      map = null;
    }
    if (maps.size >= MAX_MAPS) maps.clear();
    maps.set(file, map);
  }
  return map;
}

/** webpack names a module `webpack://<namespace>/<path from the app's folder>`. */
const WEBPACK_SOURCE = /^webpack:\/\/[^/]*\//;

function originalPath(source: string, file: string): string {
  if (WEBPACK_SOURCE.test(source)) {
    // Already relative to the app (the working directory). No path is built on process.cwd(): the
    // output tracer would take that for a file access and copy the whole app into a standalone server.
    const path = posix.normalize(source.replace(WEBPACK_SOURCE, ""));
    return path.startsWith("../") ? source : path;
  }
  const absolute = source.startsWith("file://")
    ? fileURLToPath(source)
    : isAbsolute(source)
      ? source
      : resolve(dirname(file), source);
  const fromCwd = relative(process.cwd(), absolute);
  return fromCwd.startsWith("..") || isAbsolute(fromCwd) ? absolute : fromCwd.split(sep).join("/");
}

/** This package's folder (src/ or dist/ inside it): frames in it are the runtime's own. */
const OWN_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(`${dir}${sep}package.json`) && dirname(dir) !== dir) dir = dirname(dir);
  return `${dir}${sep}`;
})();

const FRAME = /^\s+at /;

function isPlumbing(line: string): boolean {
  return (
    FRAME.test(line) &&
    (line.includes(OWN_ROOT) || /[( ]node:(internal|async_hooks)/.test(line) || /\(<anonymous>\)$/.test(line))
  );
}

/** The stack without the runtime's and Node's frames, unless those are all it has. */
export function withoutPlumbing(stack: string): string {
  const lines = stack.split("\n");
  const kept = lines.filter((line) => !isPlumbing(line));
  return kept.some((line) => FRAME.test(line)) ? kept.join("\n") : stack;
}

/**
 * The stack up to the step function's own frame (the last one named as the step: `at chargeCard`,
 * `at Pricing.total`, `at async chargeCard`); what follows is the runtime that called it.
 */
export function upToStep(stack: string, stepName: string): string {
  const name = stepName
    .split(".")
    .pop()!
    .replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const step = new RegExp(`^\\s+at (?:async )?(?:[\\w$.]+\\.)?${name}(?: \\[as [^\\]]+\\])? \\(`);
  const lines = stack.split("\n");
  const last = lines.findLastIndex((line) => step.test(line));
  return last < 0 ? stack : lines.filter((line, index) => index <= last || !FRAME.test(line)).join("\n");
}

function remapHostStack(stack: string, stepName: string | undefined): string {
  const mapped = mapFrames(stack);
  return withoutPlumbing(stepName === undefined ? mapped : upToStep(mapped, stepName));
}

function mapFrames(stack: string): string {
  return stack.replace(
    /([( ])(\/[^():\n]+\.[cm]?js):(\d+):(\d+)(\)?)$/gm,
    (frame, open: string, file: string, line: string, column: string, close: string) => {
      const map = mapFor(file);
      if (!map) return frame;
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (!entry?.originalSource || entry.originalSource.includes("node_modules")) return frame;
      return `${open}${originalPath(entry.originalSource, file)}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}${close}`;
    },
  );
}

/**
 * An error the runtime raises about a step (its result cannot be recorded), and its cause: their
 * frames are the runtime's, so their one frame names the step in its file instead
 * (`at issueReceipt (workflows/stacks.ts)`; the id is `step//<file>//<name>`).
 */
export function pointAtStep(error: Error, stepId: string): void {
  const parts = stepId.split("//");
  if (parts.length < 3) return;
  const frame = `    at ${parts[parts.length - 1]} (${parts[1]})`;
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    try {
      current.stack = `${current.name}: ${current.message}\n${frame}`;
    } catch {
      // A frozen error keeps its stack.
    }
  }
}

/**
 * Remaps `error`'s stack and its causes' in place (a thrown value that is not an error is left
 * alone); `stepName` is the step that threw it.
 */
export function remapErrorStacks(error: unknown, stepName?: string, depth = 0): void {
  if (depth > 5 || typeof error !== "object" || error === null) return;
  const candidate = error as { stack?: unknown; cause?: unknown };
  try {
    if (typeof candidate.stack === "string") candidate.stack = remapHostStack(candidate.stack, stepName);
  } catch {
    // A frozen error keeps its stack.
  }
  remapErrorStacks(candidate.cause, stepName, depth + 1);
}
