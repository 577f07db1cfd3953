/** Internals for integrations (the Next.js plugin, worlds, tests): not part of the public API. */
export { getRuntime, setRuntime, setRuntimeFactory } from "./host/global-runtime.js";
export { newRunId } from "./host/ids.js";
export { registerStepFn, registerWorkflowBundle, registries, type RegisteredStep, type WorkflowBundleSource } from "./host/registry.js";
export { Run } from "./host/run.js";
export { Runtime, type RuntimeOptions, type StartOptions, type WorkflowReference } from "./host/runtime.js";
export { resolveSecrets, secretsFromEnv } from "./host/runtime-config.js";
export { WorkflowBundle } from "./host/sandbox.js";
export { hashToken, TokenIssuer } from "./host/tokens.js";
export { WEBHOOK_PATH } from "./host/hook-tokens.js";
