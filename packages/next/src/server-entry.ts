/** @hookline/next/server: what runs inside the Next.js server (route handlers, runtime options). */

export { devWorkflowBundle } from "./dev-bundle.js";
export { type InspectorServer, type InspectorServerOptions, serveInspector } from "./inspector/node-server.js";
export { accessFromEnv } from "./inspector/session.js";
export { decode as decodeValue, plain as plainValue } from "./inspector/values.js";
export { SIGNATURE_HEADER, signInternalRequest, TIMESTAMP_HEADER, verifyInternalRequest } from "./internal-auth.js";
export {
  createRouteHandlers,
  type InspectContext,
  type Integration,
  type Load,
  nextRuntimeOptions,
  type RegistryModule,
  type WebhookContext,
} from "./server.js";
export { applyStandaloneConfig, startStandaloneServer, warnIfStandaloneNotStarted } from "./standalone.js";
