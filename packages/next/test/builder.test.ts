/**
 * The workflow bundle of an app whose workflow imports "hookline/api" (to start a child run): it
 * builds, and the bundle holds the sandbox's `start`, never the server's runtime. Before, the
 * server entry pulled the PostgreSQL driver in and the build failed with HOOKLINE_BUNDLE_NODE_BUILTIN.
 */
import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildWorkflows } from "../src/builder.js";

const HOOKLINE = fileURLToPath(new URL("../../hookline", import.meta.url));

describe("the workflow bundle", () => {
  it("builds a workflow that imports hookline/api, with the sandbox's start() and no server runtime", async () => {
    const appDir = await mkdtemp(join(tmpdir(), "hookline-build-"));
    await mkdir(join(appDir, "app/workflows"), { recursive: true });
    await mkdir(join(appDir, "node_modules"));
    await symlink(HOOKLINE, join(appDir, "node_modules/hookline"), "dir");
    await writeFile(
      join(appDir, "app/workflows/family.ts"),
      `import { start } from "hookline/api";
      export async function child(n: number) { "use workflow"; return n * 2; }
      export async function parent(n: number) {
        "use workflow";
        const run = await start(child, [n], { detached: false });
        return await run.returnValue;
      }`,
    );
    const result = await buildWorkflows({ appDir });
    expect(result.workflowIds).toEqual([
      "workflow//app/workflows/family.ts//child",
      "workflow//app/workflows/family.ts//parent",
    ]);
    const bundle = await readFile(join(result.outDir, "v1/_hookline/workflows.ts"), "utf8");
    expect(bundle).toContain("Known options in a workflow: detached");
    expect(bundle).not.toMatch(/createPostgresWorld|from \\"pg\\"|node:crypto/);
  });
});
