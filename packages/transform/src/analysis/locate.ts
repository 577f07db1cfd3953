/**
 * Works out how a directive function is declared (its Form), its name in the id, and the
 * module-level statement that holds it. Positions that give a function no stable name, or no
 * way to reach it from module scope, are refused with the forms that do work.
 */
import type { NodePath, types as t } from "@babel/core";
import type { DiagnosticCode } from "../codes.js";
import type { AnyFunction, Form } from "./model.js";

export interface Located {
  name: string;
  form: Form;
  /** Null for nested functions: resolved once the enclosing workflow is known. */
  statement: NodePath<t.Statement> | null;
}

export interface LocateFailure {
  code: DiagnosticCode;
  message: string;
}

const SUPPORTED =
  "a named function declaration, a const initialised with a function, a static class method or an object-literal method";

/** Nodes that wrap a value without changing it: `(fn as T)`, `fn!`, `(fn)`... */
export const WRAPPERS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "ParenthesizedExpression",
]);

/** The outermost `(fn as T)`-style wrapper around `path`, or `path` itself. */
export function unwrapUp(path: NodePath): NodePath {
  let current = path;
  while (current.parentPath && WRAPPERS.has(current.parentPath.type)) current = current.parentPath;
  return current;
}

/** `path` or its export wrapper, when that is a statement of the Program. */
function moduleStatement(path: NodePath): NodePath<t.Statement> | null {
  const parent = path.parentPath;
  if (!parent) return null;
  if (parent.isProgram()) return path as NodePath<t.Statement>;
  if ((parent.isExportNamedDeclaration() || parent.isExportDefaultDeclaration()) && parent.parentPath?.isProgram())
    return parent;
  return null;
}

function keyName(node: t.Node, computed: boolean): string | null {
  if (!computed && node.type === "Identifier") return node.name;
  if (node.type === "StringLiteral") return node.value;
  return null;
}

function unsupported(directive: string, what: string): LocateFailure {
  return {
    code: "HOOKLINE_TRANSFORM_UNSUPPORTED_LOCATION",
    message: `This "${directive}" function ${what}. Declare it as ${SUPPORTED}.`,
  };
}

/** base and keys of an object literal's member, e.g. `api.orders.create`. */
function objectOwner(
  object: NodePath,
  directive: string,
): { base: string; keys: string[]; statement: NodePath<t.Statement> } | LocateFailure {
  const outer = unwrapUp(object);
  const parent = outer.parentPath;
  if (parent?.isVariableDeclarator() && outer.key === "init" && parent.node.id.type === "Identifier") {
    const statement = parent.parentPath && moduleStatement(parent.parentPath);
    if (!statement)
      return unsupported(directive, "is a method of an object literal that is not a module-level variable");
    return { base: parent.node.id.name, keys: [], statement };
  }
  if (parent?.isObjectProperty() && outer.key === "value") {
    const key = keyName(parent.node.key, parent.node.computed);
    if (key === null) return unsupported(directive, "is inside an object property with a computed key");
    const owner = parent.parentPath
      ? objectOwner(parent.parentPath, directive)
      : unsupported(directive, "has no owner");
    return "code" in owner ? owner : { ...owner, keys: [...owner.keys, key] };
  }
  return unsupported(directive, "is a method of an object literal that is not assigned to a module-level const");
}

function classOwner(
  body: NodePath,
  directive: string,
): { base: string; statement: NodePath<t.Statement> } | LocateFailure {
  const cls = body.parentPath;
  if (cls?.isClassDeclaration() && cls.node.id) {
    const statement = moduleStatement(cls);
    if (statement) return { base: cls.node.id.name, statement };
  }
  if (cls?.isClassExpression()) {
    const outer = unwrapUp(cls);
    const parent = outer.parentPath;
    if (parent?.isVariableDeclarator() && parent.node.id.type === "Identifier") {
      const statement = parent.parentPath && moduleStatement(parent.parentPath);
      if (statement) return { base: parent.node.id.name, statement };
    }
  }
  return unsupported(directive, "is a method of a class that is not a named module-level class");
}

function member(
  memberPath: NodePath<t.ObjectMethod | t.ObjectProperty | t.ClassMethod | t.ClassProperty>,
  owner: "class" | "object" | "instance",
  directive: string,
): Located | LocateFailure {
  const node = memberPath.node;
  const key = keyName(node.key, node.computed);
  if (key === null) return unsupported(directive, "has a computed name");
  if (owner === "object") {
    const found = memberPath.parentPath
      ? objectOwner(memberPath.parentPath, directive)
      : unsupported(directive, "has no owner");
    if ("code" in found) return found;
    const keys = [...found.keys, key];
    return {
      name: [found.base, ...keys].join("."),
      form: { type: "member", owner, base: found.base, keys },
      statement: found.statement,
    };
  }
  const found = memberPath.parentPath
    ? classOwner(memberPath.parentPath, directive)
    : unsupported(directive, "has no owner");
  if ("code" in found) return found;
  if (owner === "instance") {
    // `Class#method`, as the Workflow SDK names it; reached from module scope through the prototype.
    const form: Form = { type: "member", owner, base: found.base, keys: ["prototype", key] };
    return { name: `${found.base}#${key}`, form, statement: found.statement };
  }
  return {
    name: `${found.base}.${key}`,
    form: { type: "member", owner, base: found.base, keys: [key] },
    statement: found.statement,
  };
}

/** An instance method may be a step (its `this` is serialized with each call); a workflow cannot carry one. */
function instanceMember(directive: string, name: string, property: boolean): LocateFailure {
  const message =
    directive === "use step"
      ? `"${name}" is an instance property holding a step, which exists only on each instance. Declare it as a method (async ${name}() { "use step"; … }): an instance-method step runs with its instance as this.`
      : `"${name}" is an instance ${property ? "property" : "method"}, so it would need "this", which a workflow cannot carry (it is replayed). Make it a static method or a module-level function.`;
  return { code: "HOOKLINE_TRANSFORM_INSTANCE_METHOD", message };
}

export function locate(fn: NodePath<AnyFunction>, directive: string): Located | LocateFailure {
  if (fn.isFunctionDeclaration()) {
    const local = fn.node.id?.name ?? null;
    const statement = moduleStatement(fn);
    if (statement) return { name: local ?? "default", form: { type: "declaration", local }, statement };
    if (local === null) return unsupported(directive, "has no name");
    return { name: local, form: { type: "nested", local }, statement: null };
  }
  if (fn.isFunctionExpression() || fn.isArrowFunctionExpression()) {
    const outer = unwrapUp(fn);
    const parent = outer.parentPath;
    if (parent?.isVariableDeclarator() && outer.key === "init" && parent.node.id.type === "Identifier") {
      const local = parent.node.id.name;
      const statement = parent.parentPath && moduleStatement(parent.parentPath);
      if (statement) return { name: local, form: { type: "variable", local }, statement };
      return { name: local, form: { type: "nested", local }, statement: null };
    }
    if (parent?.isExportDefaultDeclaration())
      return { name: "default", form: { type: "default-expression" }, statement: parent };
    if (parent?.isObjectProperty() && outer.key === "value") return member(parent, "object", directive);
    if (parent?.isClassProperty() && outer.key === "value") {
      if (!parent.node.static)
        return instanceMember(directive, keyName(parent.node.key, parent.node.computed) ?? "(computed)", true);
      return member(parent, "class", directive);
    }
    return unsupported(directive, "is an anonymous function passed as a value, so it has no stable name");
  }
  if (fn.isObjectMethod()) return member(fn, "object", directive);
  if (fn.isClassMethod()) {
    if (fn.node.static) return member(fn, "class", directive);
    if (directive !== "use step" || fn.node.kind !== "method")
      return instanceMember(directive, keyName(fn.node.key, fn.node.computed) ?? "(computed)", false);
    return member(fn, "instance", directive);
  }
  return unsupported(directive, "is a private class method, which cannot be reached from outside its class");
}
