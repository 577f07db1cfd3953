/** Workflow-only APIs called from ordinary server code. */
import { ContextError } from "../shared/errors.js";

export function notInWorkflow(api: string): never {
  throw new ContextError(
    `${api} can only be called inside a "use workflow" function. Is this file compiled by withWorkflow(), and does the function start with "use workflow"?`,
    "HOOKLINE_NOT_IN_WORKFLOW",
  );
}
