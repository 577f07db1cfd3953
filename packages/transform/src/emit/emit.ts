/**
 * Rewrites a file for one mode (see spec.md):
 * - workflow: workflows kept and registered; step bodies replaced by step proxies.
 * - step: steps kept and registered (nested ones hoisted); workflows replaced by stubs.
 * - client: workflows replaced by stubs; steps left as plain async functions.
 * Registrations (and hoisted steps) go at the end of the module, after every declaration ran.
 */
import { type NodePath, type types as t, types } from "@babel/core";
import type { DirectiveFunction } from "../analysis/model.js";
import type { TransformMode } from "../options.js";
import type { RuntimeHelpers } from "./runtime-helpers.js";
import {
  member as memberOf,
  moduleReference,
  removeDirectives,
  replaceWithProxy,
  replaceWithStub,
  shorthandProperties,
} from "./shapes.js";
import { markNestedStep, moduleStepMark } from "./step-marks.js";

function call(helpers: RuntimeHelpers, name: "registerWorkflow" | "registerStep", args: t.Expression[]): t.Statement {
  return types.expressionStatement(types.callExpression(helpers.ref(name), args));
}

function emitWorkflowMode(
  functions: DirectiveFunction[],
  program: NodePath<t.Program>,
  helpers: RuntimeHelpers,
): t.Statement[] {
  const tail: t.Statement[] = [];
  for (const fn of functions) {
    if (fn.kind === "step") {
      replaceWithProxy(fn, helpers);
      markNestedStep(fn, helpers);
      const marked = moduleStepMark(fn, program, helpers);
      if (marked) tail.push(marked);
    } else {
      removeDirectives(fn);
      tail.push(call(helpers, "registerWorkflow", [types.stringLiteral(fn.id), moduleReference(fn, program)]));
    }
  }
  return tail;
}

/** `async function _hookline_wf_inner({ a, b }, ...params) { body }` at module level. */
function hoist(
  fn: DirectiveFunction,
  program: NodePath<t.Program>,
): { declaration: t.FunctionDeclaration; local: string } {
  const node = fn.fn.node;
  const local = program.scope.generateUid(`hookline_${fn.name.replace(/[^A-Za-z0-9_$]+/g, "_")}`);
  const params = [...node.params] as t.FunctionDeclaration["params"];
  if (fn.closure.length > 0) params.unshift(types.objectPattern(shorthandProperties(fn.closure)));
  const body =
    node.body.type === "BlockStatement" ? node.body : types.blockStatement([types.returnStatement(node.body)]);
  const declaration = types.functionDeclaration(types.identifier(local), params, body, false, true);
  declaration.loc = node.loc ?? null;
  declaration.start = node.start ?? null;
  declaration.end = node.end ?? null;
  return { declaration, local };
}

function emitStepMode(
  functions: DirectiveFunction[],
  program: NodePath<t.Program>,
  helpers: RuntimeHelpers,
): t.Statement[] {
  const tail: t.Statement[] = [];
  // Steps first: hoisting a nested step takes its body out of the workflow before the stub replaces it.
  for (const fn of functions) {
    if (fn.kind !== "step") continue;
    removeDirectives(fn);
    if (fn.parent) {
      const { declaration, local } = hoist(fn, program);
      tail.push(declaration);
      const args: t.Expression[] = [types.stringLiteral(fn.id), types.identifier(local)];
      if (fn.closure.length > 0)
        args.push(
          types.objectExpression([types.objectProperty(types.identifier("closure"), types.booleanLiteral(true))]),
        );
      tail.push(call(helpers, "registerStep", args));
    } else if (fn.form.type === "member" && fn.form.owner === "instance") {
      // An instance method gets its `this` with each call (the instance the workflow called it on).
      tail.push(call(helpers, "registerStep", [types.stringLiteral(fn.id), moduleReference(fn, program)]));
    } else if (fn.form.type === "member") {
      // A static or object-literal method runs with its owner as `this`.
      const owner =
        fn.form.keys.length > 1 ? memberOf(fn.form.base, fn.form.keys.slice(0, -1)) : types.identifier(fn.form.base);
      const options = types.objectExpression([types.objectProperty(types.identifier("self"), owner)]);
      tail.push(call(helpers, "registerStep", [types.stringLiteral(fn.id), moduleReference(fn, program), options]));
    } else {
      tail.push(call(helpers, "registerStep", [types.stringLiteral(fn.id), moduleReference(fn, program)]));
    }
  }
  for (const fn of functions) if (fn.kind === "workflow") replaceWithStub(fn, helpers);
  return tail;
}

function emitClientMode(functions: DirectiveFunction[], helpers: RuntimeHelpers): t.Statement[] {
  for (const fn of functions) {
    if (fn.kind === "workflow") replaceWithStub(fn, helpers);
    else if (!fn.parent) removeDirectives(fn);
  }
  return [];
}

export function emit(
  mode: TransformMode,
  functions: DirectiveFunction[],
  program: NodePath<t.Program>,
  helpers: RuntimeHelpers,
): void {
  const tail =
    mode === "workflow"
      ? emitWorkflowMode(functions, program, helpers)
      : mode === "step"
        ? emitStepMode(functions, program, helpers)
        : emitClientMode(functions, helpers);
  if (tail.length > 0) program.pushContainer("body", tail);
}
