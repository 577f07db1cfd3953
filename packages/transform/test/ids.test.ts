/** Ids: stable across machines and OSes, distinct across files, package-relative outside the root. */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { idPath, transform } from "../src/index.js";
import { tempRoot } from "./support/compile.js";

const STEP = `export async function save() { "use step"; return 1; }\n`;

describe("ids", () => {
  test("a file under the root is named by its path relative to the root, with forward slashes", () => {
    expect(idPath("/project/app/workflows/checkout.ts", "/project")).toBe("app/workflows/checkout.ts");
    expect(idPath("/project/app/../lib/x.ts", "/project/")).toBe("lib/x.ts");
  });

  test("the same function name in two files gives two ids", () => {
    const ids = ["app/a.ts", "app/b.ts"].map(
      (file) => transform(STEP, { filename: `/project/${file}`, root: "/project", mode: "step" }).manifest.steps[0]?.id,
    );
    expect(ids).toEqual(["step//app/a.ts//save", "step//app/b.ts//save"]);
  });

  test("a file outside the root (a workspace package) is named by its package name and its path in the package", async () => {
    const base = await tempRoot();
    await mkdir(join(base, "packages/payments/src"), { recursive: true });
    await writeFile(join(base, "packages/payments/package.json"), JSON.stringify({ name: "@acme/payments" }));
    const file = join(base, "packages/payments/src/charge.ts");
    const root = join(base, "apps/web");
    expect(idPath(file, root)).toBe("@acme/payments/src/charge.ts");
    const { manifest } = transform(STEP, { filename: file, root, mode: "workflow" });
    expect(manifest.steps[0]?.id).toBe("step//@acme/payments/src/charge.ts//save");
  });

  test("a file in node_modules is named by its package, wherever the package manager put it", async () => {
    const root = await tempRoot();
    const dir = join(root, "node_modules/.pnpm/steps-lib@1.0.0/node_modules/steps-lib");
    await mkdir(join(dir, "dist"), { recursive: true });
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "steps-lib" }));
    expect(idPath(join(dir, "dist/index.js"), root)).toBe("steps-lib/dist/index.js");
  });

  test("a root reached through a symlink names files by the same relative path", async () => {
    const real = await tempRoot();
    const link = `${real}-link`;
    await symlink(real, link);
    expect(idPath(join(real, "app/x.ts"), link)).toBe("app/x.ts");
  });
});
