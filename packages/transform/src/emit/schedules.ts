/**
 * `schedule(workflow, { cron, … })` from "hookline" declares a schedule for the server; in the
 * workflow sandbox and the browser it means nothing. Workflow and client modes replace each such
 * call with `void 0`, so its options (often read from `process.env`, which the sandbox does not
 * have) are never evaluated there, and what only they used is removed with the dead code.
 */
import { type NodePath, type types as t, types } from "@babel/core";

const SCHEDULE_SOURCES = new Set(["hookline"]);

export function dropScheduleDeclarations(program: NodePath<t.Program>): void {
  program.traverse({
    CallExpression(path) {
      const callee = path.node.callee;
      if (callee.type !== "Identifier") return;
      const binding = path.scope.getBinding(callee.name);
      const specifier = binding?.path.node;
      const declaration = binding?.path.parentPath?.node;
      if (binding?.kind !== "module" || specifier?.type !== "ImportSpecifier" || declaration?.type !== "ImportDeclaration") return;
      const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : specifier.imported.value;
      if (imported !== "schedule" || !SCHEDULE_SOURCES.has(declaration.source.value)) return;
      path.replaceWith(types.unaryExpression("void", types.numericLiteral(0)));
    },
  });
}
