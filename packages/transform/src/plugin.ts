/**
 * The Babel plugin: `hooklinePlugin` with { mode, root, runtimeModules? }. Usable from any Babel
 * pipeline (a webpack or Turbopack loader); `transform()` wraps it with TypeScript stripping,
 * the fast path and source maps. Results are left on `file.metadata.hookline`.
 */
import type { ConfigAPI, NodePath, PluginObj, PluginPass, types as t } from "@babel/core";
import { analyze } from "./analysis/analyze.js";
import { DiagnosticContext } from "./analysis/context.js";
import { removeUnused, snapshotUsage } from "./emit/dead-code.js";
import { emit } from "./emit/emit.js";
import { RuntimeHelpers } from "./emit/runtime-helpers.js";
import { dropScheduleDeclarations } from "./emit/schedules.js";
import { registerSerializableClasses } from "./emit/serde-classes.js";
import type { TransformWarning } from "./errors.js";
import { idPath } from "./ids.js";
import { buildManifest, type Manifest } from "./manifest.js";
import { assertMode, type HooklinePluginOptions, runtimeModuleFor } from "./options.js";

export interface HooklineMetadata {
  manifest: Manifest;
  warnings: TransformWarning[];
  /** False when the file defines no workflow or step: the output is the input reprinted. */
  changed: boolean;
}

export function hooklineMetadata(metadata: object | null | undefined): HooklineMetadata | undefined {
  return (metadata as { hookline?: HooklineMetadata } | null | undefined)?.hookline;
}

function compile(program: NodePath<t.Program>, state: PluginPass, options: HooklinePluginOptions): HooklineMetadata {
  const filename = state.file.opts.filename ?? "unknown.js";
  const ctx = new DiagnosticContext(filename, state.file.code);
  const path = idPath(filename, options.root);
  const analysis = analyze(program, path, ctx);
  const manifest = buildManifest(path, analysis.functions);
  let changed = analysis.functions.length > 0 || analysis.fileDirective !== null;
  if (!changed) {
    // A file without a directive (a shared lib/models.ts) only gains its classes' registration.
    if (options.mode !== "client") changed = registerOnly(program, path, options);
  } else {
    const usage = snapshotUsage(program);
    analysis.fileDirective?.remove();
    const helpers = new RuntimeHelpers(program, runtimeModuleFor(options.mode, options.runtimeModules));
    emit(options.mode, analysis.functions, program, helpers);
    if (options.mode !== "step") {
      const schedules = dropScheduleDeclarations(program);
      if (schedules.length > 0) manifest.schedules = schedules;
    }
    // Re-crawls the scope, so later plugins (TypeScript's import elision) see the rewritten bindings.
    removeUnused(program, usage, options.mode);
    if (options.mode !== "client") registerSerializableClasses(program, path, helpers);
    helpers.inject();
    program.scope.crawl();
  }
  return { manifest, warnings: ctx.warnings, changed };
}

/** Registers the file's serializable classes, if it declares any and is not compiled already (it imports the runtime); whether it did. */
function registerOnly(program: NodePath<t.Program>, path: string, options: HooklinePluginOptions): boolean {
  const runtime = runtimeModuleFor(options.mode, options.runtimeModules);
  if (
    program.node.body.some((statement) => statement.type === "ImportDeclaration" && statement.source.value === runtime)
  )
    return false;
  const helpers = new RuntimeHelpers(program, runtime);
  if (registerSerializableClasses(program, path, helpers) === 0) return false;
  helpers.inject();
  program.scope.crawl();
  return true;
}

export function hooklinePlugin(api: ConfigAPI, options: HooklinePluginOptions): PluginObj {
  api.assertVersion(7);
  assertMode(options.mode);
  if (typeof options.root !== "string")
    throw new TypeError("Hookline's transform needs a root (the project folder ids are relative to).");
  return {
    name: "hookline",
    visitor: {
      Program(program, state) {
        (state.file.metadata as { hookline?: HooklineMetadata }).hookline = compile(program, state, options);
      },
    },
  };
}
