/** `hookline/api`: start runs, read them, resume hooks. Importing it configures the process's runtime. */
import { setRuntimeFactory } from "@hookline/core/runtime";
import { worldFromEnv } from "./world-config.js";

setRuntimeFactory(async () => ({ world: await worldFromEnv() }));

export * from "@hookline/core/api";
