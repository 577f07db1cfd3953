/** The two directives, and how a near miss ("use wokflow", "Use Step", `use step`) is recognised. */
export const WORKFLOW_DIRECTIVE = "use workflow";
export const STEP_DIRECTIVE = "use step";
export type DirectiveName = typeof WORKFLOW_DIRECTIVE | typeof STEP_DIRECTIVE;

/** A quoted directive spelled exactly, anywhere in a file's text: the file is meant to be compiled. */
export const EXACT_DIRECTIVE = /["']use (?:workflow|step)["']/;

export function isDirective(value: string): value is DirectiveName {
  return value === WORKFLOW_DIRECTIVE || value === STEP_DIRECTIVE;
}

/** Optimal string alignment distance: edits plus adjacent transpositions ("stpe"). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The directive `value` was probably meant to be, or null. Exact directives are not near misses.
 * "use strict", "use client", "use server" and "use cache" are far from both, by design.
 */
export function nearMissOf(value: string): DirectiveName | null {
  if (isDirective(value) || value.length > 24) return null;
  const squashed = value.toLowerCase().replace(/[\s_-]+/g, "");
  if (!squashed.startsWith("us")) return null;
  if (editDistance(squashed, "useworkflow") <= 2) return WORKFLOW_DIRECTIVE;
  if (editDistance(squashed, "usestep") <= 1) return STEP_DIRECTIVE;
  return null;
}
