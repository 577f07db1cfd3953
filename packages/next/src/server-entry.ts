/** @hookline/next/server: what runs inside the Next.js server (route handlers, runtime options). */

export { SIGNATURE_HEADER, signInternalRequest, TIMESTAMP_HEADER, verifyInternalRequest } from "./internal-auth.js";
export { createRouteHandlers, type Integration, type Load, nextRuntimeOptions, type RegistryModule, type WebhookContext } from "./server.js";
export { applyStandaloneConfig, startStandaloneServer, warnIfStandaloneNotStarted } from "./standalone.js";
