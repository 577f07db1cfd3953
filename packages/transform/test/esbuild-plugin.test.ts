/** hooklineEsbuildPlugin in a host (step-mode) build, as a server bundle would use it. */
import { join } from "node:path";
import { build } from "esbuild";
import { expect, test } from "vitest";
import { hooklineEsbuildPlugin } from "../src/esbuild.js";
import type { Manifest, TransformWarning } from "../src/index.js";
import { tempRoot } from "./support/compile.js";
import { writeFiles } from "./support/files.js";

test("compiles the app's files and directive-holding packages; packages without a directive are left alone", async () => {
  const root = await tempRoot();
  await writeFiles(root, {
    "app/server.ts": `
      import { checkout } from "./checkout";
      import { helper } from "plain-lib";
      import { remoteStep } from "steps-lib";
      export { checkout, helper, remoteStep };
    `,
    "app/checkout.tsx": `
      export async function checkout(id: string) { "use workflow"; return id; }
      export async function render(id: string) { "use step"; return <p>{id}</p>; }
    `,
    // A near miss in a package is not the user's to fix: no warning, no transform.
    "node_modules/plain-lib/package.json": JSON.stringify({ name: "plain-lib", main: "index.js" }),
    "node_modules/plain-lib/index.js": `export function helper() { "use stpe"; return 1; }\n`,
    "node_modules/steps-lib/package.json": JSON.stringify({ name: "steps-lib", main: "index.js" }),
    "node_modules/steps-lib/index.js": `export async function remoteStep() { "use step"; return 2; }\n`,
  });
  const manifests: Manifest[] = [];
  const warnings: TransformWarning[] = [];
  const result = await build({
    entryPoints: [join(root, "app/server.ts")],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    jsx: "automatic",
    external: ["hookline/*", "react/jsx-runtime"],
    logLevel: "silent",
    plugins: [
      hooklineEsbuildPlugin({
        mode: "step",
        root,
        onManifest: (m) => manifests.push(m),
        onWarning: (w) => warnings.push(w),
      }),
    ],
  });
  const code = result.outputFiles[0]!.text;
  expect(code).toContain('workflowStub("workflow//app/checkout.tsx//checkout", "checkout")');
  // esbuild renames the helper per module (__hookline_registerStep2...).
  expect(code).toMatch(/registerStep\d*\("step\/\/app\/checkout\.tsx\/\/render", render\)/);
  expect(code).toMatch(/registerStep\d*\("step\/\/steps-lib\/index\.js\/\/remoteStep", remoteStep\)/);
  expect(code).toContain('"use stpe"');
  expect(manifests.map((m) => m.file).sort()).toEqual(["app/checkout.tsx", "steps-lib/index.js"]);
  expect(warnings).toEqual([]);
  expect(result.warnings).toEqual([]);
});
