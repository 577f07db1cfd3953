/**
 * A transform error as the user reads it, in the build's output and in `next dev`'s overlay:
 * Hookline's message and code frame with the file relative to the app, and one frame, the
 * user's line, instead of the compiler's own frames (Babel, gensync, the transform's internals).
 */
import { relative } from "node:path";
import { HooklineTransformError } from "@hookline/transform";

export function readableTransformError(error: unknown, appDir: string): unknown {
  if (!HooklineTransformError.is(error)) return error;
  const { file, where, sentences } = partsOf(error, appDir);
  return named(
    `${error.code} (${where}):\n${sentences}\n\n${error.codeFrame}`,
    `${file}:${error.line}:${error.column + 1}`,
  );
}

/**
 * The same error as `next dev`'s overlay shows it when the module throws it: the message first,
 * as the overlay's headline, then the code and place; the overlay draws the code frame itself
 * from the module's source map (see the loader).
 */
export function runtimeTransformError(error: HooklineTransformError, appDir: string): Error {
  const { file, where, sentences } = partsOf(error, appDir);
  return named(`${sentences}\n\n${error.code} (${where})`, `${file}:${error.line}:${error.column + 1}`);
}

function partsOf(error: HooklineTransformError, appDir: string) {
  const file = relative(appDir, error.file);
  // Short lines: an overlay cuts a long first line off at its right edge.
  const sentences = error.reason.replaceAll(error.file, file).replace(/\. (?=[A-Z])/g, ".\n");
  return { file, where: `${file}:${error.line}:${error.column + 1}`, sentences };
}

function named(message: string, where: string): Error {
  const readable = new Error(message);
  readable.name = "HooklineTransformError";
  readable.stack = `${readable.name}: ${readable.message}\n    at ${where}`;
  return readable;
}
