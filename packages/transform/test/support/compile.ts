/**
 * Compiles sources in one mode and imports the results as real modules, with the runtime's
 * helper modules pointed at the test double.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TransformMode, transform } from "../../src/index.js";

export const DOUBLE = fileURLToPath(new URL("./runtime-double.ts", import.meta.url));
export const RUNTIME_DOUBLE = { workflow: DOUBLE, step: DOUBLE, client: DOUBLE };

export async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), "hookline-transform-"));
}

/**
 * Writes each source (path relative to `root`, as written by the user) compiled in `mode` under
 * `<root>/.<mode>/`, as .mjs, so relative imports between the compiled files keep working.
 */
export async function compileAll(
  root: string,
  files: Record<string, string>,
  mode: TransformMode,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, source] of Object.entries(files)) {
    const { code } = transform(source, { filename: join(root, path), root, mode, runtimeModules: RUNTIME_DOUBLE });
    const target = join(root, `.${mode}`, path.replace(/\.[cm]?[jt]sx?$/, ".mjs"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
    out[path] = target;
  }
  return out;
}

export async function load(
  root: string,
  files: Record<string, string>,
  mode: TransformMode,
): Promise<Record<string, Record<string, unknown>>> {
  const written = await compileAll(root, files, mode);
  const modules: Record<string, Record<string, unknown>> = {};
  for (const [path, target] of Object.entries(written)) modules[path] = await import(/* @vite-ignore */ target);
  return modules;
}
