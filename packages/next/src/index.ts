/** @hookline/next: the Next.js plugin (users import it as `hookline/next`). */
export {
  applyWorkflowConfig,
  createWithWorkflow,
  type NextConfigFunction,
  type NextConfigInput,
  type WithWorkflowOptions,
} from "./with-workflow.js";
export { buildWorkflows, type BuildOptions, type BuildResult } from "./builder.js";
export { scan, type DirectiveFile, type ScanResult } from "./scanner.js";
export type { Integration } from "./server.js";
