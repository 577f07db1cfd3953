/** The pieces every mode builds from: stubs, step proxies, references to module-level functions. */
import { type NodePath, type types as t, types } from "@babel/core";
import type { DirectiveFunction } from "../analysis/model.js";
import { isDirective } from "../directives.js";
import type { RuntimeHelpers } from "./runtime-helpers.js";

/** The rest parameter of a proxied step: a name user code (a closure variable) cannot shadow. */
const ARGS = "__hookline_args";

/** Drops "use workflow" / "use step" from the function's body. */
export function removeDirectives(fn: DirectiveFunction): void {
  const body = fn.fn.node.body;
  if (body.type === "BlockStatement") body.directives = body.directives.filter((d) => !isDirective(d.value.value));
}

/** `__hookline_workflowStub("workflow//...//name", "name")` */
function stubCall(fn: DirectiveFunction, helpers: RuntimeHelpers): t.CallExpression {
  return types.callExpression(helpers.ref("workflowStub"), [types.stringLiteral(fn.id), types.stringLiteral(fn.name)]);
}

/** `a, b` as in `{ a, b }`: how a nested step's closure is passed (an object) and received (a pattern). */
export function shorthandProperties(names: string[]): t.ObjectProperty[] {
  return names.map((name) => types.objectProperty(types.identifier(name), types.identifier(name), false, true));
}

/** `() => ({ a, b })`: the workflow variables a nested step uses, read at each call. */
export function closureThunk(names: string[]): t.ArrowFunctionExpression {
  return types.arrowFunctionExpression([], types.objectExpression(shorthandProperties(names)));
}

/**
 * Replaces a step's parameters and body with a call through the runtime's step proxy:
 * `async function f(...__hookline_args) { return __hookline_stepProxy("step//...//f")(...__hookline_args); }`.
 * The function stays what it was (a declaration still hoists; a method stays a method). An
 * instance method calls `methodStepProxy(id, this)`: its instance is recorded with the call.
 */
export function replaceWithProxy(fn: DirectiveFunction, helpers: RuntimeHelpers): void {
  const instance = fn.form.type === "member" && fn.form.owner === "instance";
  const proxyArgs: t.Expression[] = [types.stringLiteral(fn.id)];
  if (instance) proxyArgs.push(types.thisExpression());
  else if (fn.closure.length > 0) proxyArgs.push(closureThunk(fn.closure));
  const proxy = helpers.ref(instance ? "methodStepProxy" : "stepProxy");
  const call = types.callExpression(types.callExpression(proxy, proxyArgs), [
    types.spreadElement(types.identifier(ARGS)),
  ]);
  const node = fn.fn.node;
  node.params = [types.restElement(types.identifier(ARGS))];
  if (node.type === "ArrowFunctionExpression") {
    node.body = call;
    node.expression = true;
  } else {
    node.body = types.blockStatement([types.returnStatement(call)]);
  }
}

/** `export default <value>` → `const <local> = <value>; export default <local>;` */
function nameDefaultExport(statement: NodePath<t.Statement>, local: string, value: t.Expression): void {
  statement.replaceWithMultiple([
    types.variableDeclaration("const", [types.variableDeclarator(types.identifier(local), value)]),
    types.exportDefaultDeclaration(types.identifier(local)),
  ]);
}

export function member(base: string, keys: string[]): t.Expression {
  let expression: t.Expression = types.identifier(base);
  for (const key of keys) {
    expression = types.isValidIdentifier(key)
      ? types.memberExpression(expression, types.identifier(key))
      : types.memberExpression(expression, types.stringLiteral(key), true);
  }
  return expression;
}

/**
 * An expression that reaches a module-level function from the end of the module. An anonymous
 * default export is given a name first (`__hookline_default`).
 */
export function moduleReference(fn: DirectiveFunction, program: NodePath<t.Program>): t.Expression {
  const form = fn.form;
  switch (form.type) {
    case "declaration":
    case "default-expression": {
      const node = fn.fn.node;
      if (form.type === "declaration" && form.local !== null) return types.identifier(form.local);
      const local = program.scope.generateUid("hookline_default");
      if (node.type === "FunctionDeclaration") {
        node.id = types.identifier(local);
      } else {
        nameDefaultExport(fn.statement, local, node as t.Expression);
      }
      return types.identifier(local);
    }
    case "variable":
      return types.identifier(form.local);
    case "member":
      return member(form.base, form.keys);
    case "nested":
      throw new Error(`hookline: a nested function has no module-level reference (${fn.id})`);
  }
}

/** Replaces a workflow with `__hookline_workflowStub(id, name)`, keeping its binding and export. */
export function replaceWithStub(fn: DirectiveFunction, helpers: RuntimeHelpers): void {
  const stub = stubCall(fn, helpers);
  const path = fn.fn as NodePath;
  const form = fn.form;
  if (form.type === "declaration") {
    if (form.local === null) {
      (fn.statement.node as t.ExportDefaultDeclaration).declaration = stub;
    } else if (fn.statement.isExportDefaultDeclaration()) {
      nameDefaultExport(fn.statement, form.local, stub);
    } else {
      path.replaceWith(
        types.variableDeclaration("const", [types.variableDeclarator(types.identifier(form.local), stub)]),
      );
    }
    return;
  }
  if (path.isClassMethod()) {
    path.replaceWith(types.classProperty(path.node.key, stub, null, null, path.node.computed, true));
  } else if (path.isObjectMethod()) {
    path.replaceWith(types.objectProperty(path.node.key, stub, path.node.computed));
  } else {
    path.replaceWith(stub);
  }
}
