import { createHash } from "node:crypto";

/** The token hash the crash child uses for the hook it creates after `seq`. */
export function tokenHashFor(seq: number): string {
  return createHash("sha256").update(`crash-token-${seq}`).digest("hex");
}
