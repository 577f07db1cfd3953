import type { NodePath } from "@babel/core";

// TS nodes that hold values: an identifier under one of these is still a runtime reference.
const VALUE_HOLDERS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "TSParameterProperty",
  "TSEnumDeclaration",
  "TSEnumMember",
  "TSModuleDeclaration",
  "TSModuleBlock",
  "TSExportAssignment",
]);

/** True when `path` sits in a type (an annotation, `typeof x` in a type...) and so vanishes at runtime. */
export function inTypePosition(path: NodePath): boolean {
  return path.findParent((p) => p.node.type.startsWith("TS") && !VALUE_HOLDERS.has(p.node.type)) !== null;
}
