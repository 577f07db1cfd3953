/**
 * `hookline/testing`: workflows in a vitest test, in-process, on a memory world with a virtual
 * clock. Add the plugin from `hookline/testing/vite` to the vitest config; see docs/testing.md.
 */

export { TestClock } from "./testing/test-clock.js";
export { TestHook } from "./testing/test-hook.js";
export type { HookMatch, SleepInfo } from "./testing/test-run.js";
export { TestRun } from "./testing/test-run.js";
export { createTestRuntime, TestRuntime, type TestRuntimeOptions } from "./testing/test-runtime.js";
