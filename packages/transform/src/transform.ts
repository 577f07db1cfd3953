/// <reference path="./vendor.d.ts" />
/**
 * `transform(code, options)`: one file in, one mode's output out. Files with nothing that looks
 * like a directive (nor, in workflow and step modes, a serialization symbol) are returned
 * untouched without being parsed.
 */
import { type BabelFileResult, transformSync } from "@babel/core";
import typescriptPlugin from "@babel/plugin-transform-typescript";
import { EXACT_DIRECTIVE } from "./directives.js";
import { createDiagnostic, formatDiagnostic, HooklineTransformError, type TransformWarning } from "./errors.js";
import { mayContainDirective, mayDeclareSerializableClass } from "./fast-path.js";
import { idPath } from "./ids.js";
import { emptyManifest, type Manifest } from "./manifest.js";
import { assertMode, type RuntimeModules, type TransformMode } from "./options.js";
import { hooklineMetadata, hooklinePlugin } from "./plugin.js";

export interface TransformOptions {
  /** Absolute path of the file (its extension picks TypeScript / JSX parsing). */
  filename: string;
  /** The project root ids are relative to. */
  root: string;
  mode: TransformMode;
  runtimeModules?: RuntimeModules;
  /** Return a source map from the output to `code` (default false). */
  sourceMaps?: boolean;
  /**
   * Keep each statement on its input line (default false), so stack traces through a bundler
   * that drops the loader's source map (Turbopack's server build) still name the right lines.
   */
  retainLines?: boolean;
}

export interface SourceMap {
  version: 3;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: string[];
  names: string[];
  mappings: string;
}

export interface TransformResult {
  /** JavaScript (JSX kept for .tsx/.jsx input), or the input itself when `changed` is false. */
  code: string;
  map: SourceMap | null;
  manifest: Manifest;
  warnings: TransformWarning[];
  /** False when the file defines no workflow or step and `code` is the input as given. */
  changed: boolean;
}

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;
const JSX = /\.(?:[jt]sx|[cm]?js)$/;

function syntaxError(error: unknown, code: string, filename: string): unknown {
  const e = error as { code?: unknown; loc?: { line: number; column: number }; message?: unknown };
  if (e?.code !== "BABEL_PARSE_ERROR" || !e.loc || typeof e.message !== "string") return error;
  const firstLine = e.message.split("\n")[0] ?? "";
  const reason = firstLine.replace(`${filename}: `, "").replace(/ \(\d+:\d+\)$/, "");
  return new HooklineTransformError(
    createDiagnostic("HOOKLINE_TRANSFORM_SYNTAX_ERROR", reason, { code, file: filename }, e.loc),
  );
}

function unchanged(code: string, filename: string, root: string): TransformResult {
  return { code, map: null, manifest: emptyManifest(idPath(filename, root)), warnings: [], changed: false };
}

export function transform(code: string, options: TransformOptions): TransformResult {
  assertMode(options.mode);
  const { filename, root, mode } = options;
  if (!mayContainDirective(code) && (mode === "client" || !mayDeclareSerializableClass(code)))
    return unchanged(code, filename, root);
  const typescript = TYPESCRIPT.test(filename);
  const tsx = filename.endsWith(".tsx");
  let result: BabelFileResult | null;
  try {
    result = transformSync(code, {
      filename,
      sourceFileName: filename,
      configFile: false,
      babelrc: false,
      browserslistConfigFile: false,
      sourceType: "module",
      parserOpts: { plugins: typescript ? [] : JSX.test(filename) ? ["jsx"] : [] },
      plugins: [
        [hooklinePlugin, { mode, root, runtimeModules: options.runtimeModules }],
        ...(typescript
          ? [[typescriptPlugin, { isTSX: tsx, allExtensions: true, allowDeclareFields: true }] as [unknown, object]]
          : []),
      ],
      sourceMaps: options.sourceMaps === true,
      retainLines: options.retainLines === true,
      comments: true,
    });
  } catch (error) {
    if (HooklineTransformError.is(error)) {
      // Babel prefixes the file name; the diagnostic's own message already says where.
      error.message = formatDiagnostic({ ...error, message: error.reason });
      throw error;
    }
    // A file that only mentions a directive (or nearly) is not ours to reject: its own compiler will.
    if (!EXACT_DIRECTIVE.test(code) && (error as { code?: unknown })?.code === "BABEL_PARSE_ERROR")
      return unchanged(code, filename, root);
    throw syntaxError(error, code, filename);
  }
  const metadata = hooklineMetadata(result?.metadata);
  if (!result || typeof result.code !== "string" || !metadata)
    throw new Error(`Hookline's transform produced no output for ${filename}.`);
  if (!metadata.changed)
    return { code, map: null, manifest: metadata.manifest, warnings: metadata.warnings, changed: false };
  return {
    code: result.code,
    map: (result.map as SourceMap | null | undefined) ?? null,
    manifest: metadata.manifest,
    warnings: metadata.warnings,
    changed: true,
  };
}
