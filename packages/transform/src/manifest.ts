/** What one file defines, for the Next integration and tools. */
import type { DirectiveFunction } from "./analysis/model.js";
import type { FunctionKind } from "./ids.js";

export interface ManifestEntry {
  kind: FunctionKind;
  id: string;
  /** The name in the id: `checkout`, `Payments.charge`, `checkout/notify`, `default`. */
  name: string;
  /** The <path> part of the id: the file relative to the root, or `<package>/<path>`. */
  file: string;
  /** 1-based line of the function in the original source. */
  line: number;
  /** For a step declared inside a workflow: the workflow variables it receives. */
  closure?: string[];
}

/** A `schedule()` call of the file (workflow and client modes), with the options it states as string literals. */
export interface ScheduleEntry {
  /** 1-based line and 0-based column of the call. */
  line: number;
  column: number;
  /** The workflow argument, when it is a plain identifier. */
  workflow?: string;
  cron?: string;
  timezone?: string;
  id?: string;
}

export interface Manifest {
  file: string;
  workflows: ManifestEntry[];
  steps: ManifestEntry[];
  /** Present when the file declares schedules (workflow and client modes only). */
  schedules?: ScheduleEntry[];
}

export function emptyManifest(file: string): Manifest {
  return { file, workflows: [], steps: [] };
}

export function buildManifest(file: string, functions: DirectiveFunction[]): Manifest {
  const manifest = emptyManifest(file);
  for (const fn of functions) {
    const entry: ManifestEntry = { kind: fn.kind, id: fn.id, name: fn.name, file, line: fn.line };
    if (fn.closure.length > 0) entry.closure = [...fn.closure];
    (fn.kind === "workflow" ? manifest.workflows : manifest.steps).push(entry);
  }
  return manifest;
}
