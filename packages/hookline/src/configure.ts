/**
 * Installs the process's runtime factory: the world from configuration (see world-config.ts),
 * and inside a Next.js server using withWorkflow, how to load the app's workflow code (see
 * @hookline/next/server). Imported for its effect by hookline/api and the generated routes.
 */
import { setRuntimeFactory } from "@hookline/core/runtime";
import { applyStandaloneConfig, nextRuntimeOptions, warnIfStandaloneNotStarted } from "@hookline/next/server";
import { deploymentSecrets } from "./deployment.js";
import { worldFromEnv } from "./world-config.js";

// A standalone server.js never runs next.config: set what withWorkflow sets there from the config it embeds.
applyStandaloneConfig();

setRuntimeFactory(async () => {
  warnIfStandaloneNotStarted();
  return { world: await worldFromEnv(), ...nextRuntimeOptions({ deploymentSecrets }) };
});
