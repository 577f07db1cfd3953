/**
 * Finds every workflow and step of a file, validates each, and works out its id, form and (for
 * steps nested in a workflow) closure. Throws the first error; collects warnings in `ctx`.
 */
import type { NodePath, types as t } from "@babel/core";
import { type DirectiveName, STEP_DIRECTIVE, WORKFLOW_DIRECTIVE } from "../directives.js";
import { functionId } from "../ids.js";
import { checkNodeBuiltins } from "./builtins.js";
import { checkContextReferences, checkWorkflowTimers } from "./checks.js";
import { closureOf } from "./closure.js";
import type { DiagnosticContext } from "./context.js";
import { fileLevelSteps } from "./file-step.js";
import { type Located, locate } from "./locate.js";
import type { Analysis, AnyFunction, DirectiveFunction } from "./model.js";
import { scanDirectives } from "./scan-directives.js";

interface Candidate {
  fn: NodePath<AnyFunction>;
  kind: "workflow" | "step";
  /** Where to point diagnostics about the directive. */
  at: t.Node;
  directives: NodePath<t.Directive>[];
}

function describe(fn: NodePath<AnyFunction>): string {
  const node = fn.node;
  if ((node.type === "FunctionDeclaration" || node.type === "FunctionExpression") && node.id)
    return `"${node.id.name}"`;
  if ((node.type === "ClassMethod" || node.type === "ObjectMethod") && node.key.type === "Identifier")
    return `"${node.key.name}"`;
  const parent = fn.parentPath?.node;
  if (parent?.type === "VariableDeclarator" && parent.id.type === "Identifier") return `"${parent.id.name}"`;
  return "this function";
}

function checkAsync(candidate: Candidate, ctx: DiagnosticContext): void {
  const { fn, kind } = candidate;
  const directive = kind === "workflow" ? WORKFLOW_DIRECTIVE : STEP_DIRECTIVE;
  if (fn.node.async && !fn.node.generator) return;
  const why = fn.node.generator
    ? `${describe(fn)} is a generator, which a ${kind} cannot be`
    : `${describe(fn)} is not async. Add the async keyword`;
  ctx.fail(
    "HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC",
    `A "${directive}" function must be an async function: ${why}.`,
    fn.node,
  );
}

function collectCandidates(
  program: NodePath<t.Program>,
  ctx: DiagnosticContext,
): { candidates: Candidate[]; fileStep: NodePath<t.Directive> | null; requires: NodePath<t.CallExpression>[] } {
  const scanned = scanDirectives(program, ctx);
  let fileStep: NodePath<t.Directive> | null = null;
  for (const { name, path } of scanned.program) {
    if (name === WORKFLOW_DIRECTIVE) {
      ctx.fail(
        "HOOKLINE_TRANSFORM_FILE_LEVEL_WORKFLOW",
        `"use workflow" marks a function, not a file. Put it as the first statement of each workflow function's body.`,
        path.node,
      );
    }
    fileStep = path;
  }
  const candidates: Candidate[] = [];
  const byNode = new Map<t.Node, Candidate>();
  for (const holder of scanned.holders) {
    const names = new Set<DirectiveName>(holder.directives.map((d) => d.name));
    if (names.size > 1) {
      ctx.fail(
        "HOOKLINE_TRANSFORM_CONFLICTING_DIRECTIVES",
        `A function cannot be both a workflow and a step: keep one of "use workflow" and "use step".`,
        holder.directives[1]?.path.node,
      );
    }
    const kind = names.has(WORKFLOW_DIRECTIVE) ? "workflow" : "step";
    const candidate: Candidate = {
      fn: holder.fn,
      kind,
      at: holder.directives[0]!.path.node,
      directives: holder.directives.map((d) => d.path),
    };
    candidates.push(candidate);
    byNode.set(holder.fn.node, candidate);
  }
  if (fileStep) {
    for (const candidate of candidates) {
      if (candidate.kind === "workflow") {
        ctx.fail(
          "HOOKLINE_TRANSFORM_CONFLICTING_DIRECTIVES",
          `This file starts with "use step", so it cannot also define workflows. Move the workflow to its own file.`,
          candidate.at,
        );
      }
    }
    for (const fn of fileLevelSteps(program, ctx)) {
      if (byNode.has(fn.node)) continue;
      const candidate: Candidate = { fn, kind: "step", at: fn.node, directives: [] };
      candidates.push(candidate);
      byNode.set(fn.node, candidate);
    }
  }
  candidates.sort((a, b) => (a.fn.node.start ?? 0) - (b.fn.node.start ?? 0));
  return { candidates, fileStep, requires: scanned.requires };
}

const nestingProblem = (kind: string, outer: DirectiveFunction | undefined) =>
  kind === "workflow"
    ? `A workflow must be declared at module level, not inside another function.`
    : outer
      ? `A step cannot be declared inside another step ("${outer.name}"): inside a step, call plain functions. Remove the directive or move the step to module level.`
      : `A step must be declared at module level or inside a workflow, not inside an ordinary function.`;

export function analyze(program: NodePath<t.Program>, idPath: string, ctx: DiagnosticContext): Analysis {
  const { candidates, fileStep, requires } = collectCandidates(program, ctx);
  const byNode = new Map<t.Node, DirectiveFunction>();
  const located = new Map<Candidate, Located>();
  for (const candidate of candidates) {
    checkAsync(candidate, ctx);
    const where = locate(candidate.fn, candidate.kind === "workflow" ? WORKFLOW_DIRECTIVE : STEP_DIRECTIVE);
    if ("code" in where) ctx.fail(where.code, where.message, candidate.fn.node);
    located.set(candidate, where);
  }

  const functions: DirectiveFunction[] = [];
  // Candidates are in source order, so a workflow is resolved before the steps nested in it.
  for (const candidate of candidates) {
    const where = located.get(candidate)!;
    let parent: DirectiveFunction | null = null;
    let name = where.name;
    let statement = where.statement;
    if (where.form.type === "nested") {
      const outerPath = candidate.fn.findParent((p) => byNode.has(p.node));
      const outer = outerPath ? byNode.get(outerPath.node) : undefined;
      if (candidate.kind !== "step" || outer?.kind !== "workflow") {
        ctx.fail("HOOKLINE_TRANSFORM_UNSUPPORTED_LOCATION", nestingProblem(candidate.kind, outer), candidate.fn.node);
      }
      parent = outer;
      name = `${outer.name}/${where.form.local}`;
      statement = outer.statement;
    }
    const record: DirectiveFunction = {
      kind: candidate.kind,
      fn: candidate.fn,
      name,
      id: functionId(candidate.kind, idPath, name),
      line: candidate.fn.node.loc?.start.line ?? 0,
      form: where.form,
      statement: statement!,
      parent,
      closure: [],
    };
    const clash = functions.find((f) => f.id === record.id);
    if (clash) {
      ctx.fail(
        "HOOKLINE_TRANSFORM_DUPLICATE_ID",
        `Two ${record.kind}s in this file are both named "${name}" (the other is on line ${clash.line}), so they would share the id "${record.id}". Rename one of them.`,
        candidate.fn.node,
      );
    }
    functions.push(record);
    byNode.set(candidate.fn.node, record);
  }

  const directiveNodes = new Set<unknown>(byNode.keys());
  for (const fn of functions) {
    checkContextReferences(fn, directiveNodes, ctx);
    if (fn.kind === "workflow") checkWorkflowTimers(fn, directiveNodes, ctx);
    if (fn.parent) fn.closure = closureOf(fn, fn.parent, ctx);
  }
  if (functions.some((f) => f.kind === "workflow")) {
    checkNodeBuiltins(
      program,
      requires,
      new Set(functions.filter((f) => f.kind === "step").map((f) => f.fn.node)),
      ctx,
    );
  }
  return { functions, fileDirective: fileStep };
}
