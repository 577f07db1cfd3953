/**
 * The workflow files a test has imported. The vitest plugin (vite-plugin.ts) appends one line to
 * each workflow file it compiles, noting the file here under a global symbol, so the note needs
 * no import and survives vitest's module isolation within a test file.
 */

/** file → the root its ids are relative to. */
export const WORKFLOW_FILES_KEY = "hookline.testing.workflow-files";

type Noted = Record<symbol, Map<string, string> | undefined>;

export function importedWorkflowFiles(): Map<string, string> {
  const global = globalThis as unknown as Noted;
  const key = Symbol.for(WORKFLOW_FILES_KEY);
  global[key] ??= new Map();
  return global[key];
}

/** The line the plugin appends to a compiled workflow file. */
export function noteFileLine(file: string, root: string): string {
  return `\n;(globalThis[Symbol.for(${JSON.stringify(WORKFLOW_FILES_KEY)})] ??= new Map()).set(${JSON.stringify(file)}, ${JSON.stringify(root)});\n`;
}
