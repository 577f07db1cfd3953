/**
 * A restart of `next dev` skips the workflow build when nothing it was made from changed, and
 * builds again after any change to a source file, a new file, a file the bundle imports, or the
 * transform. Real builds (Babel and esbuild) of a small app in a temporary folder.
 */
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { affectsWorkflows, unchangedBuild } from "../src/build-stamp.js";
import { buildWorkflows } from "../src/builder.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const KEY = "transform-1";

let app: string;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(app, path)), { recursive: true });
  await writeFile(join(app, path), content);
}

/** Moves a file's modification time on, as an editor's save does. */
async function touch(path: string): Promise<void> {
  const later = new Date(Date.now() + 5_000);
  await utimes(join(app, path), later, later);
}

beforeEach(async () => {
  app = await mkdtemp(join(tmpdir(), "hookline-stamp-"));
  // The sandbox runtime resolves from the app's node_modules, as in an installed app.
  await symlink(join(PACKAGE_DIR, "node_modules"), join(app, "node_modules"));
  await write("package.json", JSON.stringify({ name: "stamp-app", private: true }));
  await write("app/page.tsx", "export default function Page() { return null; }\n");
  await write("lib/greeting.ts", "export const greeting = (name: string) => `Hello ${name}`;\n");
  await write(
    "workflows/greet.ts",
    [
      'import { greeting } from "../lib/greeting";',
      "export async function greet(name: string) {",
      '  "use workflow";',
      "  return greeting(name);",
      "}",
      "",
    ].join("\n"),
  );
  await buildWorkflows({ appDir: app, stampKey: KEY });
}, 60_000);

describe("unchangedBuild", () => {
  it("gives the last build's workflows, files and inputs when nothing changed", async () => {
    const unchanged = await unchangedBuild({ appDir: app, key: KEY });
    expect(unchanged?.workflowIds).toHaveLength(1);
    expect(unchanged?.workflowIds[0]).toMatch(/greet/);
    expect(unchanged?.files.map((file) => file.path)).toEqual([join(app, "workflows/greet.ts")]);
    expect(unchanged?.inputs).toContain(join(app, "lib/greeting.ts"));
    expect(unchanged?.written).toEqual([]);
  });

  it("asks for a build after an edit to a workflow, to a module it imports, or to any other source file", async () => {
    for (const path of ["workflows/greet.ts", "lib/greeting.ts", "app/page.tsx"]) {
      await buildWorkflows({ appDir: app, stampKey: KEY });
      await touch(path);
      expect(await unchangedBuild({ appDir: app, key: KEY }), path).toBeNull();
    }
  });

  it("asks for a build after a new or deleted source file, another transform, or with a torn stamp", async () => {
    await write("lib/new.ts", "export const x = 1;\n");
    expect(await unchangedBuild({ appDir: app, key: KEY })).toBeNull();
    await buildWorkflows({ appDir: app, stampKey: KEY });
    expect(await unchangedBuild({ appDir: app, key: KEY })).not.toBeNull();
    await rm(join(app, "lib/new.ts"));
    expect(await unchangedBuild({ appDir: app, key: KEY })).toBeNull();
    await buildWorkflows({ appDir: app, stampKey: KEY });
    expect(await unchangedBuild({ appDir: app, key: "transform-2" })).toBeNull();
    await writeFile(join(app, "app/.well-known/workflow/v1/_hookline/build-inputs.json"), "{ torn");
    expect(await unchangedBuild({ appDir: app, key: KEY })).toBeNull();
  });
});

describe("affectsWorkflows", () => {
  it("rebuilds for files the build read or that now hold a directive, not for declarations or unrelated files", async () => {
    const last = (await unchangedBuild({ appDir: app, key: KEY }))!;
    await write("next-env.d.ts", '/// <reference types="next" />\n');
    await write("lib/other.ts", "export const other = 2;\n");
    await write("lib/steps.ts", 'export async function save() {\n  "use step";\n}\n');
    await write("lib/typo.ts", 'export async function save() {\n  "use stp";\n}\n');
    const at = (path: string) => join(app, path);
    expect(await affectsWorkflows([at("next-env.d.ts"), at("lib/other.ts"), at("app/page.tsx")], last)).toBe(false);
    expect(await affectsWorkflows([at("lib/greeting.ts")], last)).toBe(true);
    expect(await affectsWorkflows([at("workflows/greet.ts")], last)).toBe(true);
    expect(await affectsWorkflows([at("lib/steps.ts")], last)).toBe(true);
    expect(await affectsWorkflows([at("lib/typo.ts")], last)).toBe(true);
  });
});
