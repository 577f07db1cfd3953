/**
 * What the removed bodies leave behind. An import (and, outside step mode, a module-level
 * declaration) that was used before the rewrite and is unused after it existed only for code
 * this mode dropped: host-only code (db clients, fs) must not reach the workflow sandbox, and
 * workflow-only code need not reach a browser. Step mode keeps such an import as a bare
 * `import "./steps"`, so the steps of an imported file still register on the host.
 * Anything the user left unused to begin with is left alone.
 */
import type { NodePath, types as t } from "@babel/core";
import type { Binding } from "@babel/traverse";
import type { TransformMode } from "../options.js";

export type Usage = Map<string, number>;

const uses = (binding: Binding) => binding.referencePaths.length + binding.constantViolations.length;

export function snapshotUsage(program: NodePath<t.Program>): Usage {
  const usage: Usage = new Map();
  for (const [name, binding] of Object.entries(program.scope.bindings)) usage.set(name, uses(binding));
  return usage;
}

function isModuleLevel(path: NodePath): boolean {
  return path.parentPath?.isProgram() === true;
}

/** Removes one now-unused binding; false when it is not something this pass removes. */
function removeBinding(binding: Binding, mode: TransformMode): boolean {
  const path = binding.path;
  if (binding.kind === "module") {
    const declaration = path.parentPath;
    if (!declaration?.isImportDeclaration()) return false;
    path.remove();
    if (mode !== "step" && declaration.node.specifiers.length === 0) declaration.remove();
    return true;
  }
  if (mode === "step") return false;
  if ((path.isFunctionDeclaration() || path.isClassDeclaration()) && isModuleLevel(path)) {
    path.remove();
    return true;
  }
  if (
    path.isVariableDeclarator() &&
    path.node.id.type === "Identifier" &&
    path.parentPath &&
    isModuleLevel(path.parentPath)
  ) {
    path.remove();
    return true;
  }
  return false;
}

/** Leaves the program's scope up to date (crawled after the last change). */
export function removeUnused(program: NodePath<t.Program>, before: Usage, mode: TransformMode): void {
  // Removing a declaration can leave what it used unused in turn; removing an import cannot.
  for (let again = true; again; ) {
    again = false;
    program.scope.crawl();
    for (const [name, binding] of Object.entries(program.scope.bindings)) {
      if ((before.get(name) ?? 0) === 0 || uses(binding) > 0) continue;
      if (removeBinding(binding, mode) && binding.kind !== "module") again = true;
    }
  }
}
