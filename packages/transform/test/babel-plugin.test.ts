/** hooklinePlugin on its own, as a webpack or Turbopack loader's Babel pipeline would run it. */
import babel from "@babel/core";
import { expect, test } from "vitest";
import { type HooklineMetadata, hooklinePlugin } from "../src/index.js";

const run = (code: string, mode: "workflow" | "step" | "client") =>
  babel.transformSync(code, {
    filename: "/project/app/flow.js",
    configFile: false,
    babelrc: false,
    plugins: [[hooklinePlugin, { mode, root: "/project" }]],
  });

const SOURCE = `export async function flow() { "use workflow"; return step(); }\nasync function step() { "use step"; return 1; }\n`;

test("the plugin rewrites the file and leaves the manifest and warnings on file metadata", () => {
  const result = run(SOURCE, "workflow");
  expect(result?.code).toContain('__hookline_stepProxy("step//app/flow.js//step")');
  expect(result?.code).toContain('__hookline_registerWorkflow("workflow//app/flow.js//flow", flow)');
  const meta = (result?.metadata as { hookline?: HooklineMetadata } | undefined)?.hookline;
  expect(meta?.changed).toBe(true);
  expect(meta?.manifest.workflows.map((w) => w.id)).toEqual(["workflow//app/flow.js//flow"]);
  expect(meta?.manifest.steps.map((s) => s.id)).toEqual(["step//app/flow.js//step"]);
});

test("the plugin's errors keep their code through Babel", () => {
  expect(() => run(`export function flow() { "use workflow"; }`, "step")).toThrow(
    expect.objectContaining({ code: "HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC" }),
  );
});

test("the plugin refuses an unknown mode", () => {
  expect(() => run(SOURCE, "server" as "step")).toThrow(/mode "workflow", "step" or "client"/);
});
