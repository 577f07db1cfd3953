/** `hookline/testing/vite`: the vitest plugin that compiles workflow files for hookline/testing (see docs/testing.md). */
export { type HooklineVitePlugin, type HooklineVitestOptions, hookline } from "./testing/vite-plugin.js";
