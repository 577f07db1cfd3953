/**
 * The workflow-scope variables a nested step uses. The workflow passes their current values at
 * each call; the hoisted step receives them as its first argument. They are read-only inside
 * the step: an assignment there would change a copy the workflow never sees.
 */
import type { NodePath, types as t } from "@babel/core";
import type { Binding } from "@babel/traverse";
import type { DiagnosticContext } from "./context.js";
import { unwrapUp } from "./locate.js";
import type { DirectiveFunction } from "./model.js";
import { inTypePosition } from "./type-position.js";

/** Declared as a function or class, which no serializer can carry to the host. */
function holdsFunction(binding: Binding): boolean {
  const path = binding.path;
  if (path.isFunctionDeclaration() || path.isClassDeclaration()) return true;
  if (!path.isVariableDeclarator() || binding.kind !== "const") return false;
  const init = path.node.init;
  return (
    init?.type === "ArrowFunctionExpression" || init?.type === "FunctionExpression" || init?.type === "ClassExpression"
  );
}

const within = (path: NodePath, ancestor: NodePath) =>
  path.node === ancestor.node || path.findParent((p) => p.node === ancestor.node) !== null;

export function closureOf(step: DirectiveFunction, workflow: DirectiveFunction, ctx: DiagnosticContext): string[] {
  const names: string[] = [];
  const declaresStep = (binding: Binding) =>
    binding.path.node === step.fn.node ||
    (binding.path.isVariableDeclarator() && unwrapUp(step.fn).parentPath?.node === binding.path.node);
  const captured = (path: NodePath, name: string): Binding | null => {
    const binding = path.scope.getBinding(name);
    if (!binding || declaresStep(binding)) return null;
    const scope = binding.scope.path;
    return within(scope, workflow.fn) && !within(scope, step.fn) ? binding : null;
  };
  const refuseAssignment = (path: NodePath, name: string) =>
    ctx.fail(
      "HOOKLINE_TRANSFORM_CLOSURE_ASSIGNMENT",
      `The step "${step.name}" assigns "${name}", a variable of the workflow "${workflow.name}". A step gets a copy of the workflow's variables, so the workflow would never see the change: return the new value from the step instead.`,
      path.node,
    );

  const refuseFunction = (path: NodePath, name: string) =>
    ctx.fail(
      "HOOKLINE_TRANSFORM_CLOSURE_FUNCTION",
      `The step "${step.name}" uses "${name}", a function or class declared inside the workflow "${workflow.name}". A step receives copies of the workflow's variables, and a function cannot be copied: move "${name}" to module level.`,
      path.node,
    );

  step.fn.traverse({
    ReferencedIdentifier(path) {
      const name = (path.node as t.Identifier | t.JSXIdentifier).name;
      if (names.includes(name) || inTypePosition(path)) return;
      const binding = captured(path, name);
      if (!binding) return;
      if (holdsFunction(binding)) refuseFunction(path, name);
      names.push(name);
    },
    AssignmentExpression(path) {
      for (const name of Object.keys(path.getBindingIdentifiers()))
        if (captured(path, name)) refuseAssignment(path, name);
    },
    UpdateExpression(path) {
      const argument = path.node.argument;
      if (argument.type === "Identifier" && captured(path, argument.name)) refuseAssignment(path, argument.name);
    },
  });
  return names;
}
