/**
 * One build of the app's workflow code: scan for directive files, bundle the workflows for the
 * replay sandbox, check the schedules declared beside them, and (re)write the generated routes
 * and registry.
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { mayContainDirective, transform } from "@hookline/transform";
import { bundleWorkflows } from "@hookline/transform/esbuild";
import { scanExclusions, writeBuildStamp } from "./build-stamp.js";
import {
  appRouterDir,
  DEV_BUNDLE_FILE,
  generatedDir,
  renderFiles,
  type WorkflowsModule,
  writeChanged,
} from "./generate.js";
import { readableTransformError } from "./readable-error.js";
import { resolveSandboxAlias } from "./sandbox-alias.js";
import { type DirectiveFile, scan } from "./scanner.js";
import { checkDeclaredSchedules } from "./schedule-check.js";

export interface BuildOptions {
  appDir: string;
  /** Next's distDir (default ".next"), never scanned. */
  distDir?: string;
  /** Minify the workflow bundle (off in dev, for readable stack traces). */
  minify?: boolean;
  /** Record what the build was made from under this key, so `next dev` can skip an unchanged build (build-stamp.ts). */
  stampKey?: string;
  /** `next dev`: the bundle goes in a file beside the routes, which the workflows module reads (dev-bundle.ts). */
  dev?: boolean;
}

export interface BuildResult {
  files: DirectiveFile[];
  workflowIds: string[];
  /** Scanned folders (watched in `next dev`). */
  roots: string[];
  /** The generated folder. */
  outDir: string;
  /** Absolute paths of the files the workflow bundle was built from. */
  inputs: string[];
  /** Generated files that changed in this build. */
  written: string[];
  warnings: string[];
}

export async function buildWorkflows(options: BuildOptions): Promise<BuildResult> {
  try {
    return await build(options);
  } catch (error) {
    throw readableTransformError(error, options.appDir);
  }
}

async function build(options: BuildOptions): Promise<BuildResult> {
  const { appDir } = options;
  const routerDir = appRouterDir(appDir);
  const outDir = generatedDir(routerDir);
  const { files, roots, suspects, scanned } = await scan({
    appDir,
    exclude: scanExclusions(appDir, options.distDir),
    suspect: mayContainDirective,
  });
  // A file whose only directive is misspelled is compiled by no loader: the transform's error
  // for it (naming the right spelling) fails the build here, instead of the workflow going missing.
  for (const { path, source } of suspects) transform(source, { filename: path, root: appDir, mode: "step" });
  const workflowFiles = files.filter((f) => f.workflow).map((f) => f.path);
  const bundle = await bundleWorkflows({
    root: appDir,
    files: workflowFiles,
    alias: resolveSandboxAlias(appDir),
    minify: options.minify ?? false,
    // Errors thrown in workflow code name the user's files and lines (the sandbox remaps its frames).
    sourcemap: true,
  });
  checkDeclaredSchedules(bundle.manifest);
  const workflowIds = manifestWorkflowIds(bundle.manifest);
  const generated = renderFiles({
    routerDir,
    files: files.map((f) => f.path),
    workflows: workflowsModule(bundle.code, workflowIds, options.dev),
  });
  // next dev's bundle file first: the workflows module naming its version never comes before it.
  const devBundle: [string, string][] = options.dev
    ? [[DEV_BUNDLE_FILE, JSON.stringify({ code: bundle.code, workflowIds })]]
    : [];
  const written = await writeChanged(outDir, new Map([...devBundle, ...generated]));
  if (options.stampKey !== undefined) {
    const outputs = options.dev ? [join(outDir, DEV_BUNDLE_FILE)] : [];
    await writeBuildStamp(outDir, options.stampKey, { scanned, inputs: bundle.inputs, workflowIds, outputs });
  }
  return {
    files,
    workflowIds,
    roots,
    outDir,
    inputs: bundle.inputs,
    written,
    warnings: bundle.warnings.map(formatWarning),
  };
}

function workflowsModule(code: string, workflowIds: string[], dev = false): WorkflowsModule {
  if (!dev) return { bundle: code, workflowIds };
  return {
    dev: { version: createHash("sha256").update(code).update(JSON.stringify(workflowIds)).digest("hex").slice(0, 16) },
  };
}

/** Workflow ids from the bundler's manifest (entries of kind "workflow"), whatever its exact shape. */
function manifestWorkflowIds(manifest: unknown): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === "object") {
      const entry = value as { kind?: unknown; id?: unknown };
      if (entry.kind === "workflow" && typeof entry.id === "string") ids.add(entry.id);
      else for (const child of Object.values(value)) visit(child);
    }
  };
  visit(manifest);
  return [...ids].sort();
}

function formatWarning(warning: unknown): string {
  if (typeof warning === "string") return warning;
  const w = warning as { message?: string; code?: string; file?: string; filename?: string; line?: number };
  const where = w.file ?? w.filename;
  return [
    where ? `${where}${w.line ? `:${w.line}` : ""}` : "",
    w.code ? `${w.code}:` : "",
    w.message ?? JSON.stringify(warning),
  ]
    .filter(Boolean)
    .join(" ");
}

export function summarize(result: BuildResult, appDir: string): string {
  const steps = result.files.filter((f) => f.step).length;
  const list = result.files.map((f) => relative(appDir, f.path)).join(", ");
  return `${count(result.workflowIds.length, "workflow")}; ${count(result.files.length, "file")} with directives (${steps} with steps)${list ? `: ${list}` : ""}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
