/**
 * defineHook({ id }): the id each hook a definition creates records (hook_created's
 * `definition`), so payloads resumed by token are checked against the definition's schema.
 * Checked the same way in a workflow and on the server.
 */
import { InvalidArgumentError } from "./errors.js";

const MAX_ID_LENGTH = 128;

export function checkDefinitionId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(
      `defineHook({ id }): the id must be a string of 1 to ${MAX_ID_LENGTH} characters, unique in the app (e.g. "approval-decision"), got ${typeof id === "string" ? JSON.stringify(id.slice(0, 40)) : typeof id}.`,
    );
  }
  return id;
}
