/**
 * The pre-check that lets most files skip parsing: a quoted string that starts with "use" and is
 * a directive or a near miss of one. "use strict", "use client" and "use server" match the
 * pattern but not the check, so they alone never cost a parse.
 */
import { isDirective, nearMissOf } from "./directives.js";

// Quote, "use", a few letters/separators, quote. Bounded, so scanning stays linear.
const CANDIDATE = /["'`][ \t]*use[a-z \t_-]{0,20}["'`]/gi;

export function mayContainDirective(code: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(code); match !== null; match = CANDIDATE.exec(code)) {
    const value = match[0].slice(1, -1);
    if (isDirective(value) || nearMissOf(value) !== null) return true;
  }
  return false;
}
