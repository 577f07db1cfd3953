/**
 * A transform error as the user reads it, in the build's output and in `next dev`'s overlay:
 * Hookline's message and code frame with the file relative to the app, and one frame, the
 * user's line, instead of the compiler's own frames (Babel, gensync, the transform's internals).
 */
import { relative } from "node:path";
import { HooklineTransformError } from "@hookline/transform";

export function readableTransformError(error: unknown, appDir: string): unknown {
  if (!HooklineTransformError.is(error)) return error;
  const file = relative(appDir, error.file);
  // Short lines: an overlay cuts a long first line off at its right edge.
  const sentences = error.reason.replaceAll(error.file, file).replace(/\. (?=[A-Z])/g, ".\n");
  const readable = new Error(`${error.code} (${file}:${error.line}:${error.column + 1}):\n${sentences}\n\n${error.codeFrame}`);
  readable.name = "HooklineTransformError";
  readable.stack = `${readable.name}: ${readable.message}\n    at ${file}:${error.line}:${error.column + 1}`;
  return readable;
}
