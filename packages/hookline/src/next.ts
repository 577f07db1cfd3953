/** `hookline/next`: the Next.js plugin. */
import { createWithWorkflow } from "@hookline/next";
import { deploymentSecretsOutsideRuntime } from "./deployment.js";

export type { NextConfigFunction, NextConfigInput, WithWorkflowOptions } from "@hookline/next";

/** Wraps a Next.js config so the app's workflows compile, get their routes, and run. */
export const withWorkflow = createWithWorkflow({ deploymentSecrets: deploymentSecretsOutsideRuntime });
