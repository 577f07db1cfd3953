/**
 * How Hookline recognises files that need compiling: a "use workflow" or "use step" directive
 * as a statement (at the start of a line or right after a `{`). A string that merely mentions a
 * directive (an error message, a comment mid-line) does not count, so the library's own code and
 * ordinary app code are never touched.
 *
 * No back-references: the same pattern is handed to Turbopack as a content condition.
 */
const directive = (name: string): RegExp =>
  new RegExp(`(?:^|\\{)[ \\t]*(?:"use ${name}"|'use ${name}')[ \\t]*(?:;|\\}|$)`, "m");
export const DIRECTIVE_PATTERN = directive("(?:workflow|step)");
const WORKFLOW_PATTERN = directive("workflow");
const STEP_PATTERN = directive("step");

export interface Directives {
  workflow: boolean;
  step: boolean;
}

/** Which directives `source` holds; a cheap substring test first, since most files have none. */
export function findDirectives(source: string): Directives {
  if (!source.includes("use workflow") && !source.includes("use step")) return { workflow: false, step: false };
  return { workflow: WORKFLOW_PATTERN.test(source), step: STEP_PATTERN.test(source) };
}

export function hasDirective(source: string): boolean {
  const found = findDirectives(source);
  return found.workflow || found.step;
}

/**
 * Server code without a directive is compiled too when it names a serialization symbol, so the
 * classes it declares with the symbols get registered (as the Workflow SDK's compiler finds them
 * in any file); the transform changes nothing else in it. A substring test, as the transform's.
 */
export const SERDE_PATTERN = /WORKFLOW_SERIALIZE|workflow-serialize|hookline\.serialize/;
/** The server rule's content condition for Turbopack: a directive or a serialization symbol. */
export const SERVER_CONTENT_PATTERN = new RegExp(`${DIRECTIVE_PATTERN.source}|${SERDE_PATTERN.source}`, "m");

/** Whether the loader compiles `source` in `mode` (client code registers no classes). */
export function needsCompiling(source: string, mode: "step" | "client"): boolean {
  return hasDirective(source) || (mode === "step" && SERDE_PATTERN.test(source));
}

/** Generated code (app/.well-known/workflow/) is never compiled: it holds the workflow bundle as a string. */
export const GENERATED_PATH = /[\\/]\.well-known[\\/]workflow[\\/]/;

/** Folder names never scanned or watched anywhere: dependencies, caches and tests. */
export const SKIPPED_DIRS = new Set(["node_modules", "__tests__", "test-artifacts"]);

/**
 * Dot-folders of tools (version control, build output, caches, editors, Hookline's local world
 * data), never scanned. Every other dot-folder is app code like any folder: a route under
 * `app/.well-known/agent/` may hold workflows. Hookline's own generated folder is skipped by path
 * (GENERATED_PATH).
 */
const SKIPPED_DOT_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  ".next",
  ".hookline",
  ".turbo",
  ".vercel",
  ".cache",
  ".swc",
  ".yarn",
  ".pnpm-store",
  ".idea",
  ".vscode",
  ".output",
]);

/** Whether a folder named `name` is never scanned nor watched (also `.next-*`: Next's output under another distDir). */
export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || SKIPPED_DOT_DIRS.has(name) || name.startsWith(".next-");
}

/** Whether the scanner leaves `relativePath` (relative to the app folder) out: a skipped folder on its way, or the generated folder. */
export function isSkippedPath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return parts.slice(0, -1).some(isSkippedDir) || GENERATED_PATH.test(`/${relativePath}`);
}

/** Source files the transform understands. */
export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"] as const;

export function isSourceFile(path: string): boolean {
  if (path.endsWith(".d.ts") || path.endsWith(".d.mts") || path.endsWith(".d.cts")) return false;
  if (/\.(?:test|spec)\.[cm]?[jt]sx?$/.test(path)) return false;
  return SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext));
}
