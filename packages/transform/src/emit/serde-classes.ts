/**
 * Classes with the Workflow SDK's serialization methods (static `[WORKFLOW_SERIALIZE]` and
 * `[WORKFLOW_DESERIALIZE]`, or `[Symbol.for("workflow-serialize")]`…, or Hookline's own symbols)
 * declared at module level in any file (one without a directive gets only this, nothing else
 * changes in it) are registered under `class//<path>//<Name>`, as
 * the SDK's compiler registers them: their instances (an instance-method step's `this`, an
 * argument, a result) then cross workflow and step without a registerSerializableClass() call.
 * Workflow and step modes only, after dead code is gone (a class only removed code used stays
 * out of the sandbox), and skipped at run time for a class the file registers itself.
 */
import { type NodePath, type types as t, types } from "@babel/core";
import type { RuntimeHelpers } from "./runtime-helpers.js";

const SYMBOL_KEYS: Record<string, "serialize" | "deserialize"> = {
  "workflow-serialize": "serialize",
  "workflow-deserialize": "deserialize",
  "hookline.serialize": "serialize",
  "hookline.deserialize": "deserialize",
};
const IMPORTED_KEYS: Record<string, "serialize" | "deserialize"> = {
  WORKFLOW_SERIALIZE: "serialize",
  WORKFLOW_DESERIALIZE: "deserialize",
};

/** Which half of the protocol a static member's computed key names, if any. */
function protocolKey(key: t.Node, scope: NodePath["scope"]): "serialize" | "deserialize" | undefined {
  if (key.type === "Identifier") {
    const binding = scope.getBinding(key.name);
    const specifier = binding?.path.node;
    if (binding?.kind !== "module" || specifier?.type !== "ImportSpecifier") return undefined;
    const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : specifier.imported.value;
    return IMPORTED_KEYS[imported];
  }
  // Symbol.for("workflow-serialize")
  if (
    key.type === "CallExpression" &&
    key.callee.type === "MemberExpression" &&
    key.callee.object.type === "Identifier" &&
    key.callee.object.name === "Symbol" &&
    key.callee.property.type === "Identifier" &&
    key.callee.property.name === "for" &&
    key.arguments[0]?.type === "StringLiteral"
  ) {
    return SYMBOL_KEYS[key.arguments[0].value];
  }
  return undefined;
}

function isSerializable(body: t.ClassBody, scope: NodePath["scope"]): boolean {
  const found = new Set<string>();
  for (const member of body.body) {
    if ((member.type === "ClassMethod" || member.type === "ClassProperty") && member.static && member.computed) {
      const half = protocolKey(member.key, scope);
      if (half) found.add(half);
    }
  }
  return found.size === 2;
}

/** The names of module-level classes (declared, or `const C = class {}`) that carry the protocol. */
function serializableClasses(program: NodePath<t.Program>): string[] {
  const names: string[] = [];
  for (const statement of program.get("body")) {
    const node =
      statement.isExportNamedDeclaration() || statement.isExportDefaultDeclaration()
        ? statement.node.declaration
        : statement.node;
    if (node?.type === "ClassDeclaration" && node.id && isSerializable(node.body, program.scope))
      names.push(node.id.name);
    if (node?.type === "VariableDeclaration") {
      for (const declarator of node.declarations) {
        if (
          declarator.id.type === "Identifier" &&
          declarator.init?.type === "ClassExpression" &&
          isSerializable(declarator.init.body, program.scope)
        ) {
          names.push(declarator.id.name);
        }
      }
    }
  }
  return names;
}

/** Appends `registerClass("class//<path>//<Name>", Name)` for each such class the module still declares; how many. */
export function registerSerializableClasses(
  program: NodePath<t.Program>,
  path: string,
  helpers: RuntimeHelpers,
): number {
  const statements = serializableClasses(program).map((name) =>
    types.expressionStatement(
      types.callExpression(helpers.ref("registerClass"), [
        types.stringLiteral(`class//${path}//${name}`),
        types.identifier(name),
      ]),
    ),
  );
  if (statements.length > 0) program.pushContainer("body", statements);
  return statements.length;
}
