/** What the analysis finds in a file: each workflow and step, how it is declared, and its id. */
import type { NodePath, types as t } from "@babel/core";
import type { FunctionKind } from "../ids.js";

/** How a function is declared, which decides how each mode rewrites and references it. */
export type Form =
  /** `function f() {}` at module level, possibly exported or `export default` (local null when anonymous). */
  | { type: "declaration"; local: string | null }
  /** `const f = async () => {}` / function expression at module level, possibly exported. */
  | { type: "variable"; local: string }
  /** `export default async () => {}` and `export default async function () {}` expressions. */
  | { type: "default-expression" }
  /**
   * A static class method or an object-literal method: reachable as base.key1.key2; an instance
   * method step (owner "instance") as base.prototype.key.
   */
  | { type: "member"; owner: "class" | "object" | "instance"; base: string; keys: string[] }
  /** A step declared inside a workflow body (declaration or variable). */
  | { type: "nested"; local: string };

export type AnyFunction = t.Function;

export interface DirectiveFunction {
  kind: FunctionKind;
  fn: NodePath<AnyFunction>;
  /** The name in the id: `f`, `Class.method`, `object.method`, `workflow/inner`, `default`. */
  name: string;
  id: string;
  line: number;
  form: Form;
  /** The module-level statement holding the function (for nested steps: the workflow's). */
  statement: NodePath<t.Statement>;
  /** The workflow a nested step is declared in. */
  parent: DirectiveFunction | null;
  /** Workflow-scope variables a nested step uses, in order of first use. */
  closure: string[];
}

export interface Analysis {
  functions: DirectiveFunction[];
  /** The file-level "use step" directive (the file starts with it), removed in every mode. */
  fileDirective: NodePath<t.Directive> | null;
}
