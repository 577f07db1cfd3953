/**
 * Finds the directives of a file: which functions hold "use workflow" / "use step", whether the
 * file itself starts with one, and the near misses and misplaced ones (errors).
 */
import type { NodePath, types as t } from "@babel/core";
import { type DirectiveName, isDirective, nearMissOf } from "../directives.js";
import type { DiagnosticContext } from "./context.js";
import type { AnyFunction } from "./model.js";

export interface DirectiveHolder {
  fn: NodePath<AnyFunction>;
  directives: { name: DirectiveName; path: NodePath<t.Directive> }[];
}

export interface ScannedDirectives {
  holders: DirectiveHolder[];
  program: { name: DirectiveName; path: NodePath<t.Directive> }[];
  /** `require("...")` calls, gathered here to spare the built-in check its own traversal. */
  requires: NodePath<t.CallExpression>[];
}

/**
 * A near miss fails the build: ignored, it would leave a workflow or step running as plain code,
 * which shows only later and elsewhere (a start() of a workflow "not in this build").
 */
function failNearMiss(ctx: DiagnosticContext, value: string, node: t.Node, template: boolean): void {
  const meant = template && isDirective(value) ? value : nearMissOf(value);
  if (meant === null) return;
  const message = template
    ? `\`${value}\` is a template literal, not a directive. Write "${meant}" with single or double quotes.`
    : `"${value}" is not a directive: did you mean "${meant}"? Write it exactly.`;
  ctx.fail("HOOKLINE_TRANSFORM_MISSPELLED_DIRECTIVE", message, node);
}

export function scanDirectives(program: NodePath<t.Program>, ctx: DiagnosticContext): ScannedDirectives {
  const holders = new Map<t.Node, DirectiveHolder>();
  const found: ScannedDirectives = { holders: [], program: [], requires: [] };
  program.traverse({
    CallExpression(path) {
      const { callee, arguments: args } = path.node;
      if (callee.type === "Identifier" && callee.name === "require" && args[0]?.type === "StringLiteral")
        found.requires.push(path);
    },
    Directive(path) {
      const value = path.node.value.value;
      if (!isDirective(value)) {
        failNearMiss(ctx, value, path.node, false);
        return;
      }
      const owner = path.parentPath;
      if (owner.isProgram()) {
        found.program.push({ name: value, path });
        return;
      }
      const fn = owner.parentPath;
      if (!fn?.isFunction()) return;
      let holder = holders.get(fn.node);
      if (!holder) {
        holder = { fn, directives: [] };
        holders.set(fn.node, holder);
        found.holders.push(holder);
      }
      holder.directives.push({ name: value, path });
    },
    ExpressionStatement(path) {
      const expression = path.node.expression;
      if (expression.type === "StringLiteral") {
        if (isDirective(expression.value)) {
          const where = path.parentPath.isProgram() ? "file" : "function body";
          ctx.fail(
            "HOOKLINE_TRANSFORM_DIRECTIVE_NOT_FIRST",
            `"${expression.value}" must be the first statement of the ${where} (only other directives such as "use strict" may come before it); here it is an ordinary string and does nothing.`,
            path.node,
          );
        }
        failNearMiss(ctx, expression.value, path.node, false);
      } else if (expression.type === "TemplateLiteral" && expression.expressions.length === 0) {
        const cooked = expression.quasis[0]?.value.cooked;
        if (typeof cooked === "string") failNearMiss(ctx, cooked, path.node, true);
      }
    },
  });
  return found;
}
