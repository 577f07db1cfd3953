/** @hookline/next: the Next.js plugin (users import it as `hookline/next`). */

export type { BuildOptions, BuildResult } from "./builder.js";
export { resolveSandboxAlias, type SandboxAlias } from "./sandbox-alias.js";
export { type DirectiveFile, type ScanResult, scan } from "./scanner.js";
export type { Integration } from "./server.js";
export {
  applyWorkflowConfig,
  createWithWorkflow,
  type NextConfigFunction,
  type NextConfigInput,
  type WithWorkflowOptions,
} from "./with-workflow.js";
