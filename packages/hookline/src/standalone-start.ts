/** What hookline/instrumentation runs in a standalone server: the setup withWorkflow does under `next start`, and the boot. */
import { startStandaloneServer } from "@hookline/next/server";
import { deploymentSecretsOutsideRuntime } from "./deployment.js";

export function startStandalone(): void {
  // Like next.config's copy under `next start`, this module copy does not own the runtime: the routes' does.
  startStandaloneServer({ deploymentSecrets: deploymentSecretsOutsideRuntime });
}
