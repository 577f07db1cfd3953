/** Where withWorkflow's generated routes live below the app's basePath (server code imports only this, not the generator). */
export const ROUTE_PREFIX = "/.well-known/workflow/v1";
