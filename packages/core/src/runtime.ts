/**
 * Internals for integrations (the Next.js plugin, the `hookline` package, custom servers and
 * tests): making the process's runtime and registering the app's code. Not part of the public API.
 */

export { CronSchedule, checkTimezone } from "./host/cron.js";
export { type ScheduleInfo, scheduleInfo } from "./host/scheduler.js";
export { getRuntime, setRuntime, setRuntimeFactory } from "./host/global-runtime.js";
export { hookDefinitionLoaded } from "./host/hook-definitions.js";
export { WEBHOOK_PATH } from "./host/hook-tokens.js";
export { checkHealth, type HealthCheckEndpoint, type HealthCheckResult } from "./host/health.js";
export { type RegisteredStep, registerWorkflowBundle, registries, type WorkflowBundleSource } from "./host/registry.js";
export { runInfo } from "./host/run.js";
export { stepsOf, waitsOf } from "./host/run-views.js";
export { bundleIdOf } from "./world/bundles.js";
export { checkLog, checkLogs, checkRuns, type ReplayReport } from "./host/replay-check.js";
export { WorkflowBundle } from "./host/sandbox.js";
export { Runtime, type RuntimeOptions, type StartOptions, type WorkflowReference } from "./host/runtime.js";
export { resolveSecrets, secretsFromEnv } from "./host/runtime-config.js";
export { hashToken, TokenIssuer } from "./host/tokens.js";
export { parseDuration } from "./shared/duration.js";
export { deserialize, serialize } from "./shared/serialization/index.js";
export { stepRefOf } from "./shared/step-ref.js";
