/**
 * The workflow bundle of a test: the workflow files it imported (noted-files.ts), compiled in
 * workflow mode and bundled for the replay sandbox exactly as `next build` bundles them
 * (@hookline/transform's bundleWorkflows, with the sandbox's "hookline" from the app's install),
 * kept between test files while its inputs are unchanged (bundle-cache.ts).
 */
import { cachedBundle, storeBundle } from "./bundle-cache.js";
import { importedWorkflowFiles } from "./noted-files.js";

export interface BuiltBundle {
  code: string;
  filename: string;
  /** The files it was built from. */
  files: ReadonlySet<string>;
}

/** Bundles every workflow file imported so far; throws when there is none (the plugin is missing, or nothing imports one). */
export async function bundleImportedWorkflows(): Promise<BuiltBundle> {
  const noted = importedWorkflowFiles();
  if (noted.size === 0) {
    throw new Error(
      'hookline/testing: no workflow file has been imported. Import your workflows in the test file, and add the plugin to the vitest config: `plugins: [hookline()]` from "hookline/testing/vite".',
    );
  }
  const roots = new Set(noted.values());
  if (roots.size > 1) {
    throw new Error(
      `hookline/testing: workflow files were compiled with different roots (${[...roots].join(", ")}); give the plugin one \`root\`.`,
    );
  }
  const root = [...roots][0]!;
  const files = [...noted.keys()].sort();
  const filename = `${root}/hookline-test-workflows.js`;
  const cached = await cachedBundle(root, files);
  if (cached !== null) return { code: cached, filename, files: new Set(files) };
  // Loaded only to build: the bundler and Babel take longer to load than a cached bundle to read.
  const [{ resolveSandboxAlias }, { bundleWorkflows }] = await Promise.all([
    import("@hookline/next"),
    import("@hookline/transform/esbuild"),
  ]);
  const { code, inputs } = await bundleWorkflows({ root, files, alias: resolveSandboxAlias(root), sourcemap: true });
  await storeBundle(root, files, code, inputs);
  return { code, filename, files: new Set(files) };
}

/** Whether `bundle` holds every workflow file imported so far. */
export function holdsImportedFiles(bundle: BuiltBundle | null): boolean {
  if (!bundle) return false;
  for (const file of importedWorkflowFiles().keys()) if (!bundle.files.has(file)) return false;
  return true;
}
