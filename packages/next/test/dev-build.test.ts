/**
 * `next dev`'s workflow builds (dev-build.ts, dev-bundle.ts): next.config is evaluated without
 * loading Babel or esbuild, the generated routes are there when it returns, and a flow request
 * that arrives before the background build is done waits for it and answers with the app's
 * workflows.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { registerWorkflowBundle, registries, setRuntime } from "@hookline/core/runtime";
import { afterAll, expect, it, vi } from "vitest";
import { unchangedBuild } from "../src/build-stamp.js";
import { devWorkflowBundle } from "../src/dev-bundle.js";
import { DEV_BUNDLE_FILE } from "../src/generate.js";
import { signInternalRequest } from "../src/internal-auth.js";
import { createRouteHandlers } from "../src/server.js";
import { createWithWorkflow, PHASE_DEVELOPMENT_SERVER, transformFingerprint } from "../src/with-workflow.js";

// The transform's two entry points are where Babel and esbuild come in: record when they load.
const loaded = vi.hoisted(() => [] as string[]);
vi.mock("@hookline/transform", async (original) => {
  loaded.push("@hookline/transform");
  return original();
});
vi.mock("@hookline/transform/esbuild", async (original) => {
  loaded.push("@hookline/transform/esbuild");
  return original();
});

const HOOKLINE = fileURLToPath(new URL("../../hookline", import.meta.url));
const SECRET = "s".repeat(40);
const GREET = [
  "export async function greet(name: string) {",
  '  "use workflow";',
  "  return await shout(name);",
  "}",
  "",
  "async function shout(text: string) {",
  '  "use step";',
  "  return text.toUpperCase();",
  "}",
  "",
];

afterAll(() => setRuntime(null));

it("evaluates next.config without Babel or esbuild; a flow request before the background build waits for it", async () => {
  const appDir = await mkdtemp(join(tmpdir(), "hookline-dev-build-"));
  await mkdir(join(appDir, "app/workflows"), { recursive: true });
  await mkdir(join(appDir, "node_modules"));
  await symlink(HOOKLINE, join(appDir, "node_modules/hookline"), "dir");
  await writeFile(join(appDir, "app/workflows/greet.ts"), GREET.join("\n"));
  // The runtime's start-up is not under test here.
  (globalThis as Record<symbol, unknown>)[Symbol.for("hookline.next.booted")] = true;

  const withWorkflow = createWithWorkflow({ deploymentSecrets: async () => [SECRET] });
  await withWorkflow({}, { appDir })(PHASE_DEVELOPMENT_SERVER, { defaultConfig: {} });
  expect(loaded).toEqual([]);
  // The routes are written before next.config returns; the bundle is not built yet.
  const out = join(appDir, "app/.well-known/workflow");
  for (const route of [
    "v1/flow/route.ts",
    "v1/step/route.ts",
    "v1/webhook/[token]/route.ts",
    "v1/_hookline/registry.ts",
  ]) {
    expect(existsSync(join(out, route)), route).toBe(true);
  }
  expect(await readFile(join(out, "v1/_hookline/registry.ts"), "utf8")).toContain(
    'import "../../../../workflows/greet";',
  );
  expect(await readFile(join(out, "v1/_hookline/workflows.ts"), "utf8")).toContain("Bundle version: pending");
  expect(existsSync(join(out, DEV_BUNDLE_FILE))).toBe(false);

  // What the generated workflows and registry modules do when the flow route loads them.
  const load = async () => {
    const built = await devWorkflowBundle(join(out, DEV_BUNDLE_FILE));
    registerWorkflowBundle({ code: built.code, filename: "hookline-workflows.js" });
    return { workflowIds: built.workflowIds };
  };
  setRuntime({} as never);
  const body = JSON.stringify({ reason: "load-code" });
  const request = new Request("http://127.0.0.1/.well-known/workflow/v1/flow", {
    method: "POST",
    headers: signInternalRequest([SECRET], "flow", body),
    body,
  });
  const response = await createRouteHandlers({ deploymentSecrets: async () => [SECRET] }).flowRoute(load)(request);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ workflows: ["workflow//app/workflows/greet.ts//greet"] });
  expect(registries().bundle?.code).toContain("greet");
  expect(loaded).toEqual(expect.arrayContaining(["@hookline/transform", "@hookline/transform/esbuild"]));

  // The build replaced the pending module with one naming its bundle, and a restart reuses it.
  expect(await readFile(join(out, "v1/_hookline/workflows.ts"), "utf8")).toMatch(/Bundle version: [0-9a-f]{16}\n/);
  const reused = await unchangedBuild({ appDir, key: transformFingerprint() });
  expect(reused?.workflowIds).toEqual(["workflow//app/workflows/greet.ts//greet"]);
});
