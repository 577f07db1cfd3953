/** What the routes withWorkflow generates import (app/.well-known/workflow/v1/): not a public API. */
import "./configure.js";
import { createRouteHandlers, type InspectContext, type Load } from "@hookline/next/server";
import { deploymentSecrets } from "./deployment.js";

export { registerWorkflowBundle } from "@hookline/core/runtime";
export { devWorkflowBundle } from "@hookline/next/server";

const handlers = createRouteHandlers({ deploymentSecrets });
export const flowRoute = handlers.flowRoute;
export const stepRoute = handlers.stepRoute;
export const webhookRoute = handlers.webhookRoute;
export const inspectRoute: (load: Load) => (request: Request, context: InspectContext) => Promise<Response> =
  handlers.inspectRoute;
