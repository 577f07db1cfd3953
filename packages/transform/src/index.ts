export { DIAGNOSTIC_CODES, type DiagnosticCode } from "./codes.js";
export { type Diagnostic, HooklineTransformError, type TransformWarning } from "./errors.js";
export { mayContainDirective, mayDeclareSerializableClass } from "./fast-path.js";
export { functionId, idPath } from "./ids.js";
export type { Manifest, ManifestEntry, ScheduleEntry } from "./manifest.js";
export {
  DEFAULT_RUNTIME_MODULES,
  type HooklinePluginOptions,
  type RuntimeModules,
  type TransformMode,
} from "./options.js";
export { type HooklineMetadata, hooklinePlugin } from "./plugin.js";
export { type SourceMap, type TransformOptions, type TransformResult, transform } from "./transform.js";
