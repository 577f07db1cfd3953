/** Between the transform's diagnostics and esbuild's messages. */
import { resolve } from "node:path";
import type { Location, Message, PartialMessage } from "esbuild";
import type { DiagnosticCode } from "../codes.js";
import { type Diagnostic, HooklineTransformError } from "../errors.js";

export function toEsbuildMessage(d: Diagnostic, source: string): PartialMessage {
  const lineText = source.split("\n")[d.line - 1] ?? "";
  return {
    text: `${d.code}: ${d.message}`,
    location: { file: d.file, line: d.line, column: d.column, lineText },
    detail: d,
  };
}

function frameOf(location: Location | null): string {
  if (!location) return "";
  const gutter = `${location.line} | `;
  return `> ${gutter}${location.lineText}\n  ${" ".repeat(gutter.length)}${" ".repeat(location.column)}^`;
}

/**
 * The error a failed bundle throws: the transform's own error when that is the cause. esbuild
 * names files relative to `root` (its working directory); the error's `file` is absolute.
 */
export function bundleError(errors: Message[], root: string): Error {
  const first = errors[0];
  if (first && HooklineTransformError.is(first.detail)) return first.detail;
  const code: DiagnosticCode = first?.text.startsWith("HOOKLINE_BUNDLE_NODE_BUILTIN")
    ? "HOOKLINE_BUNDLE_NODE_BUILTIN"
    : "HOOKLINE_BUNDLE_FAILED";
  const describe = (m: Message) =>
    `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : ""}${m.text.replace(/^HOOKLINE_BUNDLE_\w+: /, "")}`;
  return new HooklineTransformError({
    code,
    message: errors.map(describe).join("\n"),
    file: first?.location ? resolve(root, first.location.file) : "",
    line: first?.location?.line ?? 0,
    column: first?.location?.column ?? 0,
    codeFrame: frameOf(first?.location ?? null),
  });
}
