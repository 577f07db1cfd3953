/**
 * Internals for integrations (the Next.js plugin, the `hookline` package, custom servers and
 * tests): making the process's runtime and registering the app's code. Not part of the public API.
 */

export { CronSchedule, checkTimezone } from "./host/cron.js";
export { getRuntime, setRuntime, setRuntimeFactory } from "./host/global-runtime.js";
export { checkHealth, type HealthCheckEndpoint, type HealthCheckResult } from "./host/health.js";
export { hookDefinitionLoaded } from "./host/hook-definitions.js";
export { WEBHOOK_PATH } from "./host/hook-tokens.js";
export { type RegisteredStep, registerWorkflowBundle, registries, type WorkflowBundleSource } from "./host/registry.js";
export { checkLog, checkLogs, checkRuns, type ReplayReport } from "./host/replay-check.js";
export { runInfo } from "./host/run.js";
export { stepsOf, waitsOf } from "./host/run-views.js";
export { Runtime, type RuntimeOptions, type StartOptions, type WorkflowReference } from "./host/runtime.js";
export { resolveSecrets, secretsFromEnv } from "./host/runtime-config.js";
export { WorkflowBundle } from "./host/sandbox.js";
export { type ScheduleInfo, scheduleInfo } from "./host/scheduler.js";
export { hashToken, TokenIssuer } from "./host/tokens.js";
export { parseDuration } from "./shared/duration.js";
export { deserialize, serialize } from "./shared/serialization/index.js";
export { stepRefOf } from "./shared/step-ref.js";
export { bundleIdOf } from "./world/bundles.js";
