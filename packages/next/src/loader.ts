/**
 * The loader Turbopack and webpack run on files with a directive (see withWorkflow's rules):
 * step mode for server code, client mode for browser code. Server code that names a
 * serialization symbol is compiled too, for its classes' registration alone. Its output is still TypeScript/JSX
 * when its input was; Next's own compiler takes it from there.
 */

import { isAbsolute, relative } from "node:path";
import { HooklineTransformError, transform } from "@hookline/transform";
import { GENERATED_PATH, hasDirective, isSkippedPath, needsCompiling } from "./directives.js";
import { readableTransformError, runtimeTransformError } from "./readable-error.js";
import type { LoaderOptions } from "./with-workflow.js";

interface LoaderContext {
  resourcePath: string;
  /** `transform` only keys the bundlers' caches; the loader reads the rest. */
  getOptions(): Pick<LoaderOptions, "mode" | "root" | "dev">;
  async(): (error: Error | null, code?: string, map?: unknown) => void;
  emitWarning(warning: Error): void;
  emitError(error: Error): void;
}

export default function hooklineLoader(this: LoaderContext, source: string, inputMap?: unknown): void {
  const done = this.async();
  const filename = this.resourcePath;
  const { mode, root, dev } = this.getOptions();
  if (GENERATED_PATH.test(filename) || !needsCompiling(source, mode)) {
    done(null, source, inputMap);
    return;
  }
  const unscanned = hasDirective(source) ? unscannedWarning(filename, root) : null;
  if (unscanned) this.emitWarning(unscanned);
  Promise.resolve()
    .then(() => transform(source, { filename, root, mode, sourceMaps: true, retainLines: true }))
    .then(
      (result) => {
        for (const warning of result.warnings ?? []) this.emitWarning(toError(warning));
        if (!result.changed) done(null, source, inputMap);
        else done(null, result.code, result.map ?? undefined);
      },
      (error: unknown) => {
        const readable = readableTransformError(error, root);
        if (readable === error) {
          done(toError(error));
          return;
        }
        // The module keeps its exports (importers report nothing more) and fails if it ever runs.
        if (dev && HooklineTransformError.is(error)) {
          // Under next dev it throws where the module runs, so the overlay's headline is Hookline's
          // message (an emitted error is titled "Issue while running loader"), and its source map
          // puts the throw on the faulty line, so the overlay's code frame shows that line. The
          // watcher has already reported the error in the terminal when the file was saved.
          done(
            null,
            `${throwing(runtimeTransformError(error, root))}\n${source}`,
            throwAt(filename, source, error.line, error.column),
          );
          return;
        }
        // Emitted rather than thrown: the build fails with Hookline's message as the error itself
        // (a thrown one is wrapped in "Error evaluating Node.js code" with the compiler's frames).
        this.emitError(readable as Error);
        done(null, `${throwing(readable as Error)}\n${source}`);
      },
    );
}

/**
 * A directive file the scanner leaves out (it sits in a tool's folder such as .cache/ or
 * __tests__/) is compiled here but its workflows are not in the bundle and its steps are not
 * registered: say so, naming it, instead of failing later with "not in this build".
 */
function unscannedWarning(filename: string, root: string): Error | null {
  const path = relative(root, filename);
  if (path.startsWith("..") || isAbsolute(path) || /(^|[\\/])node_modules[\\/]/.test(path) || !isSkippedPath(path))
    return null;
  return new Error(
    `Hookline: ${path} has a "use workflow" or "use step" directive but lies in a folder Hookline does not scan, so its workflows and steps are not in the build. Move it out of that folder.`,
  );
}

const VLQ_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One source map segment: each number in base-64 VLQ. */
function segment(...numbers: number[]): string {
  let out = "";
  for (const number of numbers) {
    let rest = number < 0 ? (-number << 1) | 1 : number << 1;
    do {
      let digit = rest & 31;
      rest >>>= 5;
      if (rest > 0) digit |= 32;
      out += VLQ_DIGITS[digit];
    } while (rest > 0);
  }
  return out;
}

/** The map of `throw …;\n<source>`: the throw at `line`:`column` of the source, each line after it at its own line. */
function throwAt(filename: string, source: string, line: number, column: number) {
  const lines = source.split("\n").length;
  const mappings = [
    segment(0, 0, line - 1, column),
    segment(0, 0, 1 - line, -column),
    ...Array(lines - 1).fill(segment(0, 0, 1, 0)),
  ];
  return { version: 3, sources: [filename], sourcesContent: [source], names: [], mappings: mappings.join(";") };
}

/** A statement throwing `error` as it is, name and message. */
function throwing(error: Error): string {
  const name = JSON.stringify(error.name);
  return `throw Object.assign(new Error(${JSON.stringify(error.message)}), { name: ${name} });`;
}

function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (value && typeof value === "object" && "message" in value) {
    const error = new Error(String((value as { message: unknown }).message));
    const frame = (value as { codeFrame?: unknown; frame?: unknown }).codeFrame ?? (value as { frame?: unknown }).frame;
    if (typeof frame === "string") error.message += `\n${frame}`;
    return error;
  }
  return new Error(String(value));
}
