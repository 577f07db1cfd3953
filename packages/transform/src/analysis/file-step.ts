/**
 * A file that starts with "use step" marks every exported async function as a step. Any other
 * exported value is refused, since the workflow side would get a step proxy for it.
 */
import type { NodePath, types as t } from "@babel/core";
import type { DiagnosticContext } from "./context.js";
import { WRAPPERS } from "./locate.js";
import type { AnyFunction } from "./model.js";

/** The function inside `(fn as T)`-style wrappers, if that is what `path` holds. */
function unwrapDown(path: NodePath | null | undefined): NodePath | null {
  let current = path ?? null;
  while (current && WRAPPERS.has(current.type)) current = current.get("expression") as NodePath;
  return current;
}

function isTypeOnly(node: t.Node): boolean {
  return (
    (node.type.startsWith("TS") && node.type !== "TSEnumDeclaration" && node.type !== "TSModuleDeclaration") ||
    ("declare" in node && node.declare === true)
  );
}

export function fileLevelSteps(program: NodePath<t.Program>, ctx: DiagnosticContext): NodePath<AnyFunction>[] {
  const steps = new Map<t.Node, NodePath<AnyFunction>>();
  const refuse = (name: string, node: t.Node): never =>
    ctx.fail(
      "HOOKLINE_TRANSFORM_FILE_STEP_EXPORT",
      `A file marked "use step" may only export async functions, and "${name}" is not one. Move it to another file, or make it an async function.`,
      node,
    );
  const accept = (path: NodePath | null, name: string, at: t.Node) => {
    const fn = unwrapDown(path);
    if (!fn?.isFunction() || !fn.node.async || fn.node.generator || fn.isClassMethod() || fn.isObjectMethod())
      return refuse(name, at);
    steps.set(fn.node, fn);
  };
  const acceptBinding = (local: string, exported: string, at: t.Node) => {
    const binding = program.scope.getBinding(local);
    if (!binding) return; // a type: not a binding Babel tracks
    if (binding.path.isFunctionDeclaration()) accept(binding.path, exported, at);
    else if (binding.path.isVariableDeclarator()) accept(binding.path.get("init") as NodePath, exported, at);
    else if (!isTypeOnly(binding.path.node)) refuse(exported, at);
  };

  for (const statement of program.get("body")) {
    if (statement.isExportNamedDeclaration()) {
      if (statement.node.exportKind === "type") continue;
      const declaration = statement.get("declaration");
      if (declaration.node) {
        if (isTypeOnly(declaration.node)) continue;
        if (declaration.isFunctionDeclaration())
          accept(declaration, declaration.node.id?.name ?? "default", statement.node);
        else if (declaration.isVariableDeclaration()) {
          for (const declarator of declaration.get("declarations")) {
            const id = declarator.node.id;
            accept(
              declarator.get("init") as NodePath,
              id.type === "Identifier" ? id.name : "(pattern)",
              declarator.node,
            );
          }
        } else
          refuse(
            declaration.isClassDeclaration() ? (declaration.node.id?.name ?? "class") : String(declaration.type),
            statement.node,
          );
        continue;
      }
      for (const specifier of statement.node.specifiers) {
        if (specifier.type !== "ExportSpecifier" || specifier.exportKind === "type") {
          if (specifier.type !== "ExportSpecifier") refuse("*", specifier);
          continue;
        }
        const exported = specifier.exported.type === "Identifier" ? specifier.exported.name : specifier.exported.value;
        if (statement.node.source) refuse(exported, specifier);
        acceptBinding(specifier.local.name, exported, specifier);
      }
    } else if (statement.isExportDefaultDeclaration()) {
      const declaration = statement.get("declaration");
      if (isTypeOnly(declaration.node)) continue;
      if (declaration.isIdentifier()) acceptBinding(declaration.node.name, "default", statement.node);
      else accept(declaration, "default", statement.node);
    } else if (statement.isExportAllDeclaration() && statement.node.exportKind !== "type") {
      refuse("*", statement.node);
    }
  }
  return [...steps.values()];
}
