/**
 * The vitest plugin: compiles files with "use workflow" / "use step" in step mode, as a Next.js
 * server does, so a test imports a workflow (a stub carrying its id) and its steps register with
 * their real bodies, through vitest's module graph: `vi.mock()` reaches what they import. Each
 * workflow file also notes itself (noted-files.ts), so the test runtime can bundle the same
 * files for the replay sandbox.
 *
 *   // vitest.config.ts
 *   import { hookline } from "hookline/testing/vite";
 *   export default defineConfig({ plugins: [hookline()] });
 */
import { isAbsolute, relative, resolve } from "node:path";
import { mayContainDirective, transform } from "@hookline/transform";
import { noteFileLine } from "./noted-files.js";

export interface HooklineVitestOptions {
  /** The app's root: workflow and step ids are relative to it, as in `next build`. Default: vite's root. */
  root?: string;
}

/** The part of a Vite plugin this one uses (structurally a `Plugin` of vite, without depending on its types). */
export interface HooklineVitePlugin {
  name: string;
  enforce: "pre";
  configResolved(config: { root: string }): void;
  transform(code: string, id: string): { code: string; map: object | null } | null;
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const EXACT_DIRECTIVE = /["']use (?:workflow|step)["']/;

export function hookline(options: HooklineVitestOptions = {}): HooklineVitePlugin {
  let root = options.root === undefined ? process.cwd() : resolve(options.root);
  return {
    name: "hookline:testing",
    enforce: "pre",
    configResolved(config) {
      if (options.root === undefined) root = config.root;
    },
    transform(code, id) {
      const file = id.split("?")[0]!;
      if (file.startsWith("\0") || !SOURCE_FILE.test(file) || !mayContainDirective(code)) return null;
      const path = relative(root, file);
      const inPackage = /[\\/]node_modules[\\/]/.test(file);
      const inApp = !path.startsWith("..") && !isAbsolute(path) && !inPackage;
      // The app's files, and packages holding a real directive (the esbuild plugin's rule); nothing else.
      if (!inApp && !(inPackage && EXACT_DIRECTIVE.test(code))) return null;
      const result = transform(code, { filename: file, root, mode: "step", sourceMaps: true });
      if (!result.changed) return null;
      const note = result.manifest.workflows.length === 0 ? "" : noteFileLine(file, root);
      return { code: result.code + note, map: result.map };
    },
  };
}
