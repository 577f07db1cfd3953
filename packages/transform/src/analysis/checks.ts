/** Checks on what a workflow or step body may use: this/arguments/super, and timers in workflows. */
import type { NodePath, Visitor } from "@babel/core";
import type { DiagnosticContext } from "./context.js";
import type { DirectiveFunction } from "./model.js";

/**
 * `this`, `arguments` and `super` bound to the function itself (or reached through arrows):
 * a workflow is replayed and a plain step runs detached, so none of them would mean anything.
 * A step that is a static class method or an object-literal method runs with its owner as
 * `this` (the class or the object, on the server), and an instance-method step with the
 * instance it was called on (serialized with the call), as in the Workflow SDK.
 */
export function checkContextReferences(
  fn: DirectiveFunction,
  directiveNodes: Set<unknown>,
  ctx: DiagnosticContext,
): void {
  const what = `a ${fn.kind} ("${fn.name}")`;
  const ownedStep = fn.kind === "step" && fn.form.type === "member";
  const visitor: Visitor = {
    Function(path) {
      // Nested non-arrow functions bind their own; nested directive functions are checked on their own.
      if (!path.isArrowFunctionExpression() || directiveNodes.has(path.node)) path.skip();
    },
    Class(path) {
      path.skip();
    },
    ThisExpression(path) {
      if (ownedStep) return;
      ctx.fail(
        "HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER",
        `"this" cannot be used in ${what}: it runs detached from any object. Pass what it needs as arguments.`,
        path.node,
      );
    },
    Super(path) {
      ctx.fail(
        "HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER",
        `"super" cannot be used in ${what}: it runs detached from its class. Call the other method by its class name.`,
        path.node,
      );
    },
    Identifier(path) {
      if (path.node.name === "arguments" && path.isReferencedIdentifier() && !path.scope.getBinding("arguments")) {
        ctx.fail(
          "HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER",
          `"arguments" cannot be used in ${what}. Use rest parameters (...args) instead.`,
          path.node,
        );
      }
    },
  };
  fn.fn.traverse(visitor);
}

const TIMERS = new Set(["setTimeout", "setInterval", "setImmediate"]);
const GLOBAL_OBJECTS = new Set(["globalThis", "window", "self", "global"]);

function timerMessage(timer: string, workflow: string): string {
  return `${timer}() cannot be used in a workflow ("${workflow}"): a timer does not survive a restart or a replay. Use sleep() from "hookline" instead (await sleep("5s")), or move this code into a "use step" function.`;
}

/** Timers in a workflow body (steps declared inside it may use them: they run on the host). */
export function checkWorkflowTimers(
  workflow: DirectiveFunction,
  directiveNodes: Set<unknown>,
  ctx: DiagnosticContext,
): void {
  const skipSteps = (path: NodePath) => {
    if (directiveNodes.has(path.node)) path.skip();
  };
  workflow.fn.traverse({
    Function: skipSteps,
    Identifier(path) {
      const name = path.node.name;
      if (TIMERS.has(name) && path.isReferencedIdentifier() && !path.scope.getBinding(name)) {
        ctx.fail("HOOKLINE_TRANSFORM_WORKFLOW_TIMER", timerMessage(name, workflow.name), path.node);
      }
    },
    "MemberExpression|OptionalMemberExpression"(path) {
      const node = path.node as {
        object: { type: string; name?: string };
        property: { type: string; name?: string; value?: unknown };
        computed: boolean;
      };
      if (
        node.object.type !== "Identifier" ||
        !GLOBAL_OBJECTS.has(node.object.name ?? "") ||
        path.scope.getBinding(node.object.name ?? "")
      )
        return;
      const property =
        !node.computed && node.property.type === "Identifier"
          ? node.property.name
          : node.property.type === "StringLiteral"
            ? node.property.value
            : undefined;
      if (typeof property === "string" && TIMERS.has(property))
        ctx.fail("HOOKLINE_TRANSFORM_WORKFLOW_TIMER", timerMessage(property, workflow.name), path.node);
    },
  });
}
