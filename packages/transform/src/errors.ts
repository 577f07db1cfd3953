/**
 * Compile-time diagnostics. Errors are thrown, warnings returned; both carry a stable `code`,
 * the position and a code frame of the offending source.
 */
import { codeFrameColumns } from "@babel/code-frame";
import type { DiagnosticCode } from "./codes.js";

// The runtime's brand (packages/core shared/errors.ts), so HooklineError.is() accepts these too.
const BRAND = Symbol.for("hookline.error");

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 0-based, as Babel counts. */
  column: number;
}

export interface Diagnostic {
  code: DiagnosticCode;
  /** What was wrong and what to do, without position or frame. */
  message: string;
  /** The file as the transform was given it. */
  file: string;
  line: number;
  column: number;
  /** The offending lines with a marker (no colours). */
  codeFrame: string;
}

export type TransformWarning = Diagnostic;

export class HooklineTransformError extends Error {
  override name = "HooklineTransformError";
  readonly code: DiagnosticCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly codeFrame: string;
  /** The message without file, position or frame. */
  readonly reason: string;

  constructor(diagnostic: Diagnostic) {
    super(formatDiagnostic(diagnostic));
    this.code = diagnostic.code;
    this.file = diagnostic.file;
    this.line = diagnostic.line;
    this.column = diagnostic.column;
    this.codeFrame = diagnostic.codeFrame;
    this.reason = diagnostic.message;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Checks by brand and name, not instanceof: copies of this package may be loaded twice. */
  static is(value: unknown): value is HooklineTransformError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      (value as { name?: unknown }).name === "HooklineTransformError"
    );
  }
}

/** `CODE: message (file:line:column)` and the frame: what a terminal or an overlay shows. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.code}: ${d.message} (${d.file}:${d.line}:${d.column + 1})\n\n${d.codeFrame}`;
}

export function createDiagnostic(
  code: DiagnosticCode,
  message: string,
  source: { code: string; file: string },
  start: SourcePosition | null | undefined,
  end?: SourcePosition | null,
): Diagnostic {
  const line = start?.line ?? 1;
  const column = start?.column ?? 0;
  const location = {
    start: { line, column: column + 1 },
    ...(end ? { end: { line: end.line, column: end.column + 1 } } : {}),
  };
  const codeFrame = codeFrameColumns(source.code, location, { highlightCode: false, linesAbove: 2, linesBelow: 2 });
  return { code, message, file: source.file, line, column, codeFrame };
}
