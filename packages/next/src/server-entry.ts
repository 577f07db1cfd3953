/** @hookline/next/server: what runs inside the Next.js server (route handlers, runtime options). */
export { createRouteHandlers, nextRuntimeOptions, type Integration, type Load, type RegistryModule, type WebhookContext } from "./server.js";
export { signInternalRequest, verifyInternalRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./internal-auth.js";
export { applyStandaloneConfig, startStandaloneServer, warnIfStandaloneNotStarted } from "./standalone.js";
