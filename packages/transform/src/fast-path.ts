/**
 * The pre-check that lets most files skip parsing: a quoted string that starts with "use" and is
 * a directive or a near miss of one. "use strict", "use client" and "use server" match the
 * pattern but not the check, so they alone never cost a parse. Workflow and step modes also parse
 * a file naming a serialization symbol, whose classes they register.
 */
import { isDirective, nearMissOf } from "./directives.js";

// Quote, "use", a few letters/separators, quote. Bounded, so scanning stays linear.
const CANDIDATE = /["'`][ \t]*use[a-z \t_-]{0,20}["'`]/gi;

// The serialize half of each protocol a class may carry (see emit/serde-classes.ts): an import
// of WORKFLOW_SERIALIZE under another local name still spells it in the import.
const SERDE_CANDIDATE = /WORKFLOW_SERIALIZE|workflow-serialize|hookline\.serialize/;

/** Whether a file without a directive may declare a serializable class (worth a parse in workflow and step modes). */
export function mayDeclareSerializableClass(code: string): boolean {
  return SERDE_CANDIDATE.test(code);
}

export function mayContainDirective(code: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(code); match !== null; match = CANDIDATE.exec(code)) {
    const value = match[0].slice(1, -1);
    if (isDirective(value) || nearMissOf(value) !== null) return true;
  }
  return false;
}
