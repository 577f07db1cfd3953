/** The transform's options, shared by `transform()`, the Babel plugin and the esbuild plugin. */

/** Which output to produce from a file (see spec.md). */
export type TransformMode = "workflow" | "step" | "client";

/** Module specifiers the generated code imports its runtime helpers from, per mode. */
export interface RuntimeModules {
  workflow?: string;
  step?: string;
  client?: string;
}

export const DEFAULT_RUNTIME_MODULES: Readonly<Required<RuntimeModules>> = {
  workflow: "hookline/internal/workflow",
  step: "hookline/internal/step",
  client: "hookline/internal/client",
};

export interface HooklinePluginOptions {
  mode: TransformMode;
  /** The project root: ids hold file paths relative to it. */
  root: string;
  runtimeModules?: RuntimeModules;
}

export function runtimeModuleFor(mode: TransformMode, modules: RuntimeModules | undefined): string {
  return modules?.[mode] ?? DEFAULT_RUNTIME_MODULES[mode];
}

const MODES: readonly string[] = ["workflow", "step", "client"];

export function assertMode(mode: unknown): asserts mode is TransformMode {
  if (typeof mode !== "string" || !MODES.includes(mode)) {
    throw new TypeError(`Hookline's transform needs mode "workflow", "step" or "client"; got ${JSON.stringify(mode)}.`);
  }
}
