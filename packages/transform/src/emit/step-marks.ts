/**
 * Workflow mode marks each step function with its id (`markStep(f, id, closure?)`), so the
 * function itself can be passed as a value (to a step, to start(), as a payload) and crosses
 * serialization as a reference to its step. A module-level step is marked at the end of the
 * module; a step declared in a workflow where it is declared, with the reader of the workflow
 * variables it uses (serialized with the reference). Instance-method steps are not marked:
 * detached from their instance they would have no `this`.
 */
import { type NodePath, type types as t, types } from "@babel/core";
import { unwrapUp } from "../analysis/locate.js";
import type { DirectiveFunction } from "../analysis/model.js";
import type { RuntimeHelpers } from "./runtime-helpers.js";
import { closureThunk, moduleReference } from "./shapes.js";

function mark(reference: t.Expression, fn: DirectiveFunction, helpers: RuntimeHelpers): t.Statement {
  const args: t.Expression[] = [reference, types.stringLiteral(fn.id)];
  if (fn.closure.length > 0) args.push(closureThunk(fn.closure));
  return types.expressionStatement(types.callExpression(helpers.ref("markStep"), args));
}

/** The statement marking a module-level step (for the end of the module), or null for one that is not marked there. */
export function moduleStepMark(
  fn: DirectiveFunction,
  program: NodePath<t.Program>,
  helpers: RuntimeHelpers,
): t.Statement | null {
  if (fn.parent || (fn.form.type === "member" && fn.form.owner === "instance")) return null;
  return mark(moduleReference(fn, program), fn, helpers);
}

/**
 * Marks a step declared in a workflow: a declaration at the top of its block (it hoists, so it
 * may be passed before its line), a `const` right after its declaration.
 */
export function markNestedStep(fn: DirectiveFunction, helpers: RuntimeHelpers): void {
  if (fn.form.type !== "nested") return;
  const statement = mark(types.identifier(fn.form.local), fn, helpers);
  const path = fn.fn as NodePath;
  if (path.isFunctionDeclaration()) {
    const block = path.parentPath;
    if (block?.isBlockStatement()) block.unshiftContainer("body", statement);
    return;
  }
  const declaration = unwrapUp(path).parentPath?.parentPath;
  if (declaration?.isVariableDeclaration() && declaration.parentPath?.isBlockStatement())
    declaration.insertAfter(statement);
}
