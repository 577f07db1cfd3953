/**
 * A workflow file's module-level code and workflow bodies run in the replay sandbox, which has
 * no Node.js modules: a built-in may only be used inside "use step" functions (whose bodies
 * never reach the sandbox).
 */
import type { NodePath, types as t } from "@babel/core";
import { isNodeBuiltin } from "../node-builtins.js";
import type { DiagnosticContext } from "./context.js";
import { inTypePosition } from "./type-position.js";

const MOVE = `Move the code that needs it into a "use step" function.`;

export function checkNodeBuiltins(
  program: NodePath<t.Program>,
  requires: NodePath<t.CallExpression>[],
  stepNodes: Set<t.Node>,
  ctx: DiagnosticContext,
): void {
  const inStep = (path: NodePath) => path.findParent((p) => stepNodes.has(p.node)) !== null;
  for (const statement of program.get("body")) {
    if (statement.isImportDeclaration()) {
      const source = statement.node.source.value;
      if (statement.node.importKind === "type" || !isNodeBuiltin(source)) continue;
      if (statement.node.specifiers.length === 0) {
        ctx.fail(
          "HOOKLINE_TRANSFORM_WORKFLOW_NODE_BUILTIN",
          `A workflow file cannot import the Node.js built-in "${source}": workflow code runs in a sandbox without Node's modules. ${MOVE}`,
          statement.node,
        );
      }
      for (const specifier of statement.get("specifiers")) {
        if (specifier.isImportSpecifier() && specifier.node.importKind === "type") continue;
        const local = specifier.node.local.name;
        const references = (program.scope.getBinding(local)?.referencePaths ?? []).filter(
          (ref) => !inTypePosition(ref),
        );
        const outside = references.find((ref) => !inStep(ref));
        if (outside || references.length === 0) {
          ctx.fail(
            "HOOKLINE_TRANSFORM_WORKFLOW_NODE_BUILTIN",
            `"${local}" comes from the Node.js built-in "${source}", which a workflow cannot use: workflow code runs in a sandbox without Node's modules. ${
              outside
                ? MOVE
                : `It is imported but not used: remove the import, or ${MOVE[0]!.toLowerCase()}${MOVE.slice(1)}`
            }`,
            (outside ?? specifier).node,
          );
        }
      }
    } else if ((statement.isExportNamedDeclaration() || statement.isExportAllDeclaration()) && statement.node.source) {
      const source = statement.node.source.value;
      if (statement.node.exportKind !== "type" && isNodeBuiltin(source)) {
        ctx.fail(
          "HOOKLINE_TRANSFORM_WORKFLOW_NODE_BUILTIN",
          `A workflow file cannot re-export the Node.js built-in "${source}": workflow code runs in a sandbox without Node's modules. ${MOVE}`,
          statement.node,
        );
      }
    }
  }
  for (const path of requires) {
    const first = path.node.arguments[0];
    if (
      first?.type !== "StringLiteral" ||
      !isNodeBuiltin(first.value) ||
      path.scope.getBinding("require") ||
      inStep(path)
    )
      continue;
    ctx.fail(
      "HOOKLINE_TRANSFORM_WORKFLOW_NODE_BUILTIN",
      `A workflow file cannot require the Node.js built-in "${first.value}" outside a step: workflow code runs in a sandbox without Node's modules. ${MOVE}`,
      path.node,
    );
  }
}
