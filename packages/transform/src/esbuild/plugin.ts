/**
 * `hooklineEsbuildPlugin`: compiles the files esbuild loads in one mode. In workflow mode it also
 * refuses Node built-ins, naming the file that imports one, since the bundle runs in the sandbox.
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import type { Loader, Plugin } from "esbuild";
import { EXACT_DIRECTIVE } from "../directives.js";
import { HooklineTransformError, type TransformWarning } from "../errors.js";
import type { Manifest } from "../manifest.js";
import { isNodeBuiltin, NODE_BUILTIN_FILTER } from "../node-builtins.js";
import type { RuntimeModules, TransformMode } from "../options.js";
import { transform } from "../transform.js";
import { toEsbuildMessage } from "./locations.js";

export interface HooklineEsbuildOptions {
  mode: TransformMode;
  root: string;
  runtimeModules?: RuntimeModules;
  /** Called with the manifest of each file that defines a workflow or step. */
  onManifest?: (manifest: Manifest) => void;
  /** Called with each transform warning (they are also reported to esbuild). */
  onWarning?: (warning: TransformWarning) => void;
  /** Inline a source map in each transformed file (default: when the build has `sourcemap` set). */
  sourcemap?: boolean;
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function loaderFor(path: string, transformed: boolean): Loader {
  if (path.endsWith(".tsx")) return transformed ? "jsx" : "tsx";
  if (/\.[cm]?ts$/.test(path)) return transformed ? "js" : "ts";
  if (path.endsWith(".jsx")) return "jsx";
  return "js";
}

function inlineMap(map: object): string {
  return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}

export function hooklineEsbuildPlugin(options: HooklineEsbuildOptions): Plugin {
  return {
    name: "hookline",
    setup(build) {
      const sourcemap =
        options.sourcemap ?? (build.initialOptions.sourcemap !== undefined && build.initialOptions.sourcemap !== false);
      if (options.mode === "workflow") {
        build.onResolve({ filter: NODE_BUILTIN_FILTER }, (args) => {
          if (!isNodeBuiltin(args.path)) return undefined;
          const importer = args.importer ? relative(options.root, args.importer).split("\\").join("/") : "the entry";
          return {
            errors: [
              {
                text: `HOOKLINE_BUNDLE_NODE_BUILTIN: ${importer} imports the Node.js built-in "${args.path}", which workflow code cannot use: it runs in a sandbox without Node's modules. Move the code that needs it into a "use step" function.`,
              },
            ],
          };
        });
      }
      build.onLoad({ filter: SOURCE_FILE, namespace: "file" }, async (args) => {
        const source = await readFile(args.path, "utf8");
        // Packages are only compiled when they hold a real directive: no near-miss warnings for code the user does not own.
        if (/[\\/]node_modules[\\/]/.test(args.path) && !EXACT_DIRECTIVE.test(source)) return undefined;
        try {
          const result = transform(source, {
            filename: args.path,
            root: options.root,
            mode: options.mode,
            runtimeModules: options.runtimeModules,
            sourceMaps: sourcemap,
          });
          for (const warning of result.warnings) options.onWarning?.(warning);
          const manifest = result.manifest;
          if (manifest.workflows.length > 0 || manifest.steps.length > 0) options.onManifest?.(manifest);
          const warnings = result.warnings.map((w) => toEsbuildMessage(w, source));
          if (!result.changed) return { contents: source, loader: loaderFor(args.path, false), warnings };
          const contents = result.map && sourcemap ? result.code + inlineMap(result.map) : result.code;
          return { contents, loader: loaderFor(args.path, true), warnings };
        } catch (error) {
          if (!HooklineTransformError.is(error)) throw error;
          return { errors: [{ ...toEsbuildMessage(error, source), detail: error }] };
        }
      });
    },
  };
}
