/**
 * `bundleWorkflows`: the workflow bundle the replay sandbox runs. One esbuild IIFE holding the
 * runtime (imported first, so it is initialised before any workflow registers) and the given
 * workflow files in workflow mode, with every dependency bundled and nothing left to import.
 */
import { isAbsolute, join } from "node:path";
import { build, type Message, type Plugin } from "esbuild";
import type { TransformWarning } from "../errors.js";
import type { Manifest } from "../manifest.js";
import { type RuntimeModules, runtimeModuleFor } from "../options.js";
import { withIgnoreList } from "./ignore-list.js";
import { bundleError } from "./locations.js";
import { hooklineEsbuildPlugin } from "./plugin.js";

export interface BundleWorkflowsOptions {
  root: string;
  /** Absolute paths of the workflow files. */
  files: string[];
  /** Module specifier → absolute file, e.g. "hookline" and "hookline/internal/workflow" → the sandbox runtime. */
  alias: Record<string, string>;
  /** Extra package.json export conditions to resolve with. */
  conditions?: string[];
  minify?: boolean;
  /** Inline a source map pointing at the original files. */
  sourcemap?: boolean;
  runtimeModules?: RuntimeModules;
}

export interface BundleWorkflowsResult {
  /** A script: evaluating it (e.g. in a vm context) runs every registerWorkflow call. */
  code: string;
  /** One per file that defines workflows or steps, sorted by file. */
  manifest: Manifest[];
  warnings: TransformWarning[];
  /** Absolute paths of every file the bundle was built from (the workflow files and all they import). */
  inputs: string[];
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Resolves the aliased specifiers, noting each file they resolve to in `resolved`. */
function aliasPlugin(alias: Record<string, string>, root: string, resolved: Set<string>): Plugin {
  const names = Object.keys(alias);
  return {
    name: "hookline-alias",
    setup(b) {
      if (names.length === 0) return;
      b.onResolve({ filter: new RegExp(`^(?:${names.map(escapeRegExp).join("|")})$`) }, async (args) => {
        const target = alias[args.path]!;
        if (isAbsolute(target)) {
          resolved.add(target);
          return { path: target };
        }
        const result = await b.resolve(target, { kind: args.kind, resolveDir: root });
        if (result.errors.length > 0) return { errors: result.errors };
        resolved.add(result.path);
        return { path: result.path };
      });
    },
  };
}

/**
 * esbuild's keepNames helper, `__name(fn, "fn")`, redefines `name` on every function and class
 * of the bundle, and the bundle runs again for every run: most of its cost when a replay check
 * evaluates it a thousand times. The name only needs defining where esbuild renamed the binding
 * (OrderRejected2), so the helper now defines it only where it differs: the same names, a fraction
 * of the work. (esbuild calls it only on functions and classes without a static `name` member,
 * whose `name` is their own plain value.)
 */
const NAME_HELPER =
  /\(\s*([\w$]+)\s*,\s*([\w$]+)\s*\)\s*=>\s*([\w$]+\(\s*\1\s*,\s*"name"\s*,\s*\{\s*value\s*(?::\s*\2\s*)?,\s*configurable\s*:\s*(?:true|!0)\s*\}\s*\))/;

function cheaperNameHelper(code: string): string {
  const match = NAME_HELPER.exec(code.slice(0, 4096));
  if (!match) return code;
  const [helper, target, value, define] = match;
  return `${code.slice(0, match.index)}(${target},${value})=>${target}.name===${value}?${target}:${define}${code.slice(match.index + helper.length)}`;
}

function inlineMap(map: object): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}

export async function bundleWorkflows(options: BundleWorkflowsOptions): Promise<BundleWorkflowsResult> {
  const { root, files } = options;
  const runtime = runtimeModuleFor("workflow", options.runtimeModules);
  const contents = [runtime, ...files].map((file) => `import ${JSON.stringify(file)};`).join("\n");
  const manifests = new Map<string, Manifest>();
  const warnings: TransformWarning[] = [];
  const runtimeEntries = new Set<string>(isAbsolute(runtime) ? [runtime] : []);
  try {
    const result = await build({
      stdin: { contents, resolveDir: root, sourcefile: "hookline-workflows-entry.js", loader: "js" },
      absWorkingDir: root,
      outfile: join(root, "hookline-workflows.js"),
      bundle: true,
      write: false,
      format: "iife",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: options.conditions ?? [],
      minify: options.minify ?? false,
      // One scope for every file: a name two files declare is renamed in one of them (class
      // OrderRejected → OrderRejected2). Functions and classes keep their source names for
      // `.name`, `new.target.name` and stack frames.
      keepNames: true,
      // Inlined below, once Hookline's own sources are marked in it.
      sourcemap: options.sourcemap ? "external" : false,
      sourcesContent: true,
      logLevel: "silent",
      metafile: true,
      plugins: [
        aliasPlugin(options.alias, root, runtimeEntries),
        hooklineEsbuildPlugin({
          mode: "workflow",
          root,
          runtimeModules: options.runtimeModules,
          sourcemap: options.sourcemap ?? false,
          onManifest: (manifest) => manifests.set(manifest.file, manifest),
          onWarning: (warning) => warnings.push(warning),
        }),
      ],
    });
    const output = result.outputFiles.find((file) => file.path.endsWith(".js"));
    if (!output) throw new Error("Hookline's workflow bundle produced no output.");
    const map = result.outputFiles.find((file) => file.path.endsWith(".js.map"));
    const manifest = [...manifests.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith("<stdin>") && !input.includes(":"))
      .map((input) => (isAbsolute(input) ? input : join(root, input)));
    const text = cheaperNameHelper(output.text);
    const code = map ? text + inlineMap(withIgnoreList(map.text, result.metafile, [...runtimeEntries], root)) : text;
    return { code, manifest, warnings, inputs };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) throw bundleError(errors, root);
    throw error;
  }
}
