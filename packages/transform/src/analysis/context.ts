/** Where diagnostics go while one file is compiled. */
import type { types as t } from "@babel/core";
import type { DiagnosticCode } from "../codes.js";
import { createDiagnostic, HooklineTransformError, type TransformWarning } from "../errors.js";

export class DiagnosticContext {
  readonly warnings: TransformWarning[] = [];

  constructor(
    readonly file: string,
    readonly code: string,
  ) {}

  fail(code: DiagnosticCode, message: string, node: t.Node | null | undefined): never {
    throw new HooklineTransformError(createDiagnostic(code, message, this, node?.loc?.start, node?.loc?.end));
  }

  warn(code: DiagnosticCode, message: string, node: t.Node | null | undefined): void {
    this.warnings.push(createDiagnostic(code, message, this, node?.loc?.start, node?.loc?.end));
  }
}
