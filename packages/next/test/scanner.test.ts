import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { findDirectives } from "../src/directives.js";
import { publishedDirs, scan } from "../src/scanner.js";

async function tree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const WORKFLOW = 'export async function run() {\n  "use workflow";\n  return 1;\n}\n';
const STEP = "export async function save() {\n  'use step';\n  return 2;\n}\n";

describe("findDirectives", () => {
  it("finds directives as statements, in either quote style, also on one line", () => {
    expect(findDirectives(WORKFLOW)).toEqual({ workflow: true, step: false });
    expect(findDirectives(STEP)).toEqual({ workflow: false, step: true });
    expect(findDirectives('async function f() { "use step"; return 1 }')).toEqual({ workflow: false, step: true });
    expect(findDirectives('"use step";\nexport async function a() {}')).toEqual({ workflow: false, step: true });
  });

  it("ignores strings and comments that merely mention a directive", () => {
    expect(findDirectives("throw new Error('mark it with \"use workflow\" first');")).toEqual({
      workflow: false,
      step: false,
    });
    expect(findDirectives('// add "use step" to the function\nconst x = 1;')).toEqual({ workflow: false, step: false });
    expect(findDirectives('if (d === "use step") return;')).toEqual({ workflow: false, step: false });
    expect(findDirectives("const s = `use workflow`;")).toEqual({ workflow: false, step: false });
  });
});

describe("scan", () => {
  it("finds directive files anywhere in the app, dot-folders included, and skips dependencies, tools' folders, build output, tests and generated files", async () => {
    const app = await mkdtemp(join(tmpdir(), "hookline-scan-"));
    await tree(app, {
      "package.json": JSON.stringify({ name: "app", dependencies: {} }),
      "app/page.tsx": "export default function Page() { return null; }",
      "app/workflows/checkout.ts": WORKFLOW,
      "src/lib/steps.ts": STEP,
      "lib/both.mjs": WORKFLOW + STEP,
      "workflows/deep/nested/signup.tsx": WORKFLOW,
      "lib/mentions.ts": 'export const help = "put \\"use workflow\\" first";',
      "lib/types.d.ts": WORKFLOW,
      "lib/checkout.test.ts": WORKFLOW,
      "lib/__tests__/x.ts": WORKFLOW,
      "node_modules/some-pkg/index.js": WORKFLOW,
      ".next/server/chunk.js": WORKFLOW,
      ".next-dev/server/chunk.js": WORKFLOW,
      ".hookline/x.js": WORKFLOW,
      "app/.well-known/workflow/v1/_hookline/registry.ts": WORKFLOW,
      "app/.well-known/agent/v1/steps.ts": STEP,
      ".git/hooks/x.js": WORKFLOW,
      ".cache/x.js": WORKFLOW,
      ".config/flows.ts": WORKFLOW,
      "build-out/server.js": WORKFLOW,
      "README.md": WORKFLOW,
    });
    const result = await scan({ appDir: app, exclude: [join(app, "build-out")] });
    expect(result.files.map((f) => ({ ...f, path: relative(app, f.path) }))).toEqual([
      { path: ".config/flows.ts", workflow: true, step: false },
      { path: "app/.well-known/agent/v1/steps.ts", workflow: false, step: true },
      { path: "app/workflows/checkout.ts", workflow: true, step: false },
      { path: "lib/both.mjs", workflow: true, step: true },
      { path: "src/lib/steps.ts", workflow: false, step: true },
      { path: "workflows/deep/nested/signup.tsx", workflow: true, step: false },
    ]);
    expect(result.roots).toEqual([app]);
  });

  it("scans the published folders of workspace packages the app depends on, directly or not", async () => {
    const repo = await mkdtemp(join(tmpdir(), "hookline-ws-"));
    await tree(repo, {
      "apps/web/package.json": JSON.stringify({
        name: "web",
        dependencies: { "@acme/flows": "workspace:*", hookline: "workspace:*", "from-npm": "1.0.0" },
      }),
      "apps/web/app/page.tsx": "export default () => null;",
      "packages/flows/package.json": JSON.stringify({
        name: "@acme/flows",
        exports: { ".": { types: "./dist/index.d.ts", import: "./src/index.ts" } },
        dependencies: { "@acme/steps": "workspace:*" },
      }),
      "packages/flows/src/index.ts": WORKFLOW,
      "packages/flows/dist/index.js": WORKFLOW,
      "packages/flows/test/fixture.ts": WORKFLOW,
      "packages/steps/package.json": JSON.stringify({ name: "@acme/steps", main: "./lib/index.js" }),
      "packages/steps/lib/index.js": STEP,
      "packages/steps/src/index.ts": STEP,
      "packages/hookline/package.json": JSON.stringify({ name: "hookline" }),
      "packages/hookline/dist/index.js": WORKFLOW,
      "store/from-npm/package.json": JSON.stringify({ name: "from-npm" }),
      "store/from-npm/index.js": WORKFLOW,
    });
    await mkdir(join(repo, "apps/web/node_modules/@acme"), { recursive: true });
    await mkdir(join(repo, "packages/flows/node_modules/@acme"), { recursive: true });
    await mkdir(join(repo, "node_modules/.store"), { recursive: true });
    await symlink(join(repo, "packages/flows"), join(repo, "apps/web/node_modules/@acme/flows"));
    await symlink(join(repo, "packages/steps"), join(repo, "packages/flows/node_modules/@acme/steps"));
    await symlink(join(repo, "packages/hookline"), join(repo, "apps/web/node_modules/hookline"));
    // An npm package: its real folder is inside a node_modules folder.
    await tree(repo, {
      "node_modules/.store/from-npm/package.json": JSON.stringify({ name: "from-npm" }),
      "node_modules/.store/from-npm/index.js": WORKFLOW,
    });
    await symlink(join(repo, "node_modules/.store/from-npm"), join(repo, "apps/web/node_modules/from-npm"));

    const result = await scan({ appDir: join(repo, "apps/web") });
    expect(result.files.map((f) => relative(repo, f.path))).toEqual([
      "packages/flows/src/index.ts",
      "packages/steps/lib/index.js",
    ]);
    expect(result.roots.map((r) => relative(repo, r))).toEqual([
      "apps/web",
      "packages/flows/src",
      "packages/steps/lib",
    ]);
  });
});

describe("publishedDirs", () => {
  it("follows exports with the conditions a server resolves, then main, then the package root", () => {
    const dir = "/p";
    expect(
      publishedDirs(dir, {
        exports: { ".": { types: "./types/x.d.ts", node: "./dist/node/index.js", browser: "./dist/browser.js" } },
      }),
    ).toEqual(["/p/dist/node"]);
    expect(
      publishedDirs(dir, { exports: { "./a": "./src/a/index.ts", "./b": "./src/b.ts", "./c/*": "./src/c/*.ts" } }),
    ).toEqual(["/p/src"]);
    expect(publishedDirs(dir, { exports: "./index.js" })).toEqual(["/p"]);
    expect(publishedDirs(dir, { main: "lib/main.js" })).toEqual(["/p/lib"]);
    expect(publishedDirs(dir, {})).toEqual(["/p"]);
    expect(publishedDirs(dir, { exports: { ".": "../outside.js" } })).toEqual(["/p"]);
  });
});
