/** The vitest plugin: which files it compiles, in which mode, and the note that lets the runtime bundle them. */
import { expect, it } from "vitest";
import { createTestRuntime } from "../src/testing.js";
import { hookline } from "../src/testing-vite.js";

const WORKFLOW =
  'import { sleep } from "hookline";\nexport async function nightly(n: number) {\n  "use workflow";\n  await sleep("1d");\n  return await work(n);\n}\nasync function work(n: number) {\n  "use step";\n  return n * 2;\n}\n';

function plugin(root = "/app") {
  const instance = hookline();
  instance.configResolved({ root });
  return instance;
}

it("compiles a workflow file in step mode: a stub with its id, the steps registered, the file noted for the bundle", () => {
  const out = plugin().transform(WORKFLOW, "/app/workflows/nightly.ts?v=1");
  expect(out?.code).toContain('__hookline_workflowStub("workflow//workflows/nightly.ts//nightly", "nightly")');
  expect(out?.code).toContain('__hookline_registerStep("step//workflows/nightly.ts//work", work)');
  expect(out?.code).not.toContain("n: number");
  expect(out?.code).toContain('Symbol.for("hookline.testing.workflow-files")');
  expect(out?.code).toContain('.set("/app/workflows/nightly.ts", "/app")');
  expect(out?.map).not.toBeNull();
});

it("compiles a steps-only file without noting it, and leaves other files alone", () => {
  const steps = plugin().transform(
    'export async function send() {\n  "use step";\n  return 1;\n}\n',
    "/app/lib/send.ts",
  );
  expect(steps?.code).toContain("__hookline_registerStep");
  expect(steps?.code).not.toContain("hookline.testing.workflow-files");
  expect(plugin().transform('"use client";\nexport const x = 1;\n', "/app/lib/x.ts")).toBeNull();
  expect(plugin().transform(WORKFLOW, "/app/styles/site.css")).toBeNull();
  expect(plugin().transform(WORKFLOW, "\0virtual:hookline")).toBeNull();
});

it("compiles packages only when they hold a real directive, and nothing outside the app and its packages", () => {
  expect(plugin().transform(WORKFLOW, "/app/node_modules/@acme/flows/index.ts")?.code).toContain(
    "__hookline_workflowStub(",
  );
  expect(
    plugin().transform("// mentions 'use workflow' in a comment only\n", "/app/node_modules/lib/index.js"),
  ).toBeNull();
  expect(plugin().transform(WORKFLOW, "/elsewhere/flows.ts")).toBeNull();
});

it("takes its root from the options over vite's", () => {
  const instance = hookline({ root: "/repo/apps/shop" });
  instance.configResolved({ root: "/repo" });
  expect(instance.transform(WORKFLOW, "/repo/apps/shop/flows.ts")?.code).toContain('"workflow//flows.ts//nightly"');
});

it("tells a test that imported no workflow (or runs without the plugin) what to do, and leaves Date alone", async () => {
  const RealDate = Date;
  await expect(createTestRuntime()).rejects.toThrow(
    'no workflow file has been imported. Import your workflows in the test file, and add the plugin to the vitest config: `plugins: [hookline()]` from "hookline/testing/vite".',
  );
  expect(Date).toBe(RealDate);
});
