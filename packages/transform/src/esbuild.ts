export {
  type BundleWorkflowsOptions,
  type BundleWorkflowsResult,
  bundleWorkflows,
} from "./esbuild/bundle-workflows.js";
export { type HooklineEsbuildOptions, hooklineEsbuildPlugin } from "./esbuild/plugin.js";
