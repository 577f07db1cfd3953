/**
 * The runtime helpers generated code calls, imported once per file under names user code
 * cannot collide with (`__hookline_stepProxy`...).
 */
import { type NodePath, type types as t, types } from "@babel/core";

export type HelperName =
  | "registerWorkflow"
  | "stepProxy"
  | "methodStepProxy"
  | "markStep"
  | "registerStep"
  | "registerClass"
  | "workflowStub";

export class RuntimeHelpers {
  readonly #used = new Map<HelperName, string>();

  constructor(
    private readonly program: NodePath<t.Program>,
    private readonly source: string,
  ) {}

  ref(name: HelperName): t.Identifier {
    let local = this.#used.get(name);
    if (local === undefined) {
      local = `__hookline_${name}`;
      if (this.program.scope.hasBinding(local)) local = this.program.scope.generateUid(local);
      this.#used.set(name, local);
    }
    return types.identifier(local);
  }

  /** Adds the import at the top of the file, if anything was used. */
  inject(): void {
    if (this.#used.size === 0) return;
    const specifiers = [...this.#used].map(([imported, local]) =>
      types.importSpecifier(types.identifier(local), types.identifier(imported)),
    );
    this.program.unshiftContainer("body", types.importDeclaration(specifiers, types.stringLiteral(this.source)));
  }
}
