/**
 * `hookline/api`: start runs, read them, resume hooks. Importing it configures the process's
 * runtime: the world from configuration (see world-config.ts), and inside a Next.js server
 * using withWorkflow, how to load the app's workflow code (see @hookline/next/server).
 */
import { setRuntimeFactory } from "@hookline/core/runtime";
import { nextRuntimeOptions } from "@hookline/next/server";
import { deploymentSecrets } from "./deployment.js";
import { worldFromEnv } from "./world-config.js";

setRuntimeFactory(async () => ({ world: await worldFromEnv(), ...nextRuntimeOptions({ deploymentSecrets }) }));

export * from "@hookline/core/api";
