/** `hookline/next`: the Next.js plugin. */
import { createWithWorkflow } from "@hookline/next";

export type { NextConfigFunction, NextConfigInput, WithWorkflowOptions } from "@hookline/next";

/** Wraps a Next.js config so the app's workflows compile, get their routes, and run. */
export const withWorkflow = createWithWorkflow({
  // The world's code loads only when the secret is first needed, not while next.config is evaluated.
  deploymentSecrets: async () => (await import("./deployment.js")).deploymentSecretsOutsideRuntime(),
});
