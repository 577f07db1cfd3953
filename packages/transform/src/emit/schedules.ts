/**
 * `schedule(workflow, { cron, … })` from "hookline" declares a schedule for the server; in the
 * workflow sandbox and the browser it means nothing. Workflow and client modes replace each such
 * call with `void 0`, so its options (often read from `process.env`, which the sandbox does not
 * have) are never evaluated there, and what only they used is removed with the dead code. What
 * the call says literally goes into the manifest, for the build to check (a cron that does not
 * parse fails `next build`, see @hookline/next's builder).
 */
import { type NodePath, type types as t, types } from "@babel/core";
import type { ScheduleEntry } from "../manifest.js";

const SCHEDULE_SOURCES = new Set(["hookline"]);

export function dropScheduleDeclarations(program: NodePath<t.Program>): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  program.traverse({
    CallExpression(path) {
      const callee = path.node.callee;
      if (callee.type !== "Identifier") return;
      const binding = path.scope.getBinding(callee.name);
      const specifier = binding?.path.node;
      const declaration = binding?.path.parentPath?.node;
      if (
        binding?.kind !== "module" ||
        specifier?.type !== "ImportSpecifier" ||
        declaration?.type !== "ImportDeclaration"
      )
        return;
      const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : specifier.imported.value;
      if (imported !== "schedule" || !SCHEDULE_SOURCES.has(declaration.source.value)) return;
      entries.push(describeCall(path.node));
      path.replaceWith(types.unaryExpression("void", types.numericLiteral(0)));
    },
  });
  return entries;
}

/** Where the call is, and the options it states as plain strings (others are known only at run time). */
function describeCall(node: t.CallExpression): ScheduleEntry {
  const entry: ScheduleEntry = { line: node.loc?.start.line ?? 1, column: node.loc?.start.column ?? 0 };
  const [workflow, options] = node.arguments;
  if (workflow?.type === "Identifier") entry.workflow = workflow.name;
  if (options?.type !== "ObjectExpression") return entry;
  for (const property of options.properties) {
    if (property.type !== "ObjectProperty" || property.computed) continue;
    const name =
      property.key.type === "Identifier"
        ? property.key.name
        : property.key.type === "StringLiteral"
          ? property.key.value
          : null;
    const value = literal(property.value);
    if (value === null || (name !== "cron" && name !== "timezone" && name !== "id")) continue;
    entry[name] = value;
  }
  return entry;
}

function literal(node: t.Node): string | null {
  if (node.type === "StringLiteral") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? null;
  return null;
}
