import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appRouterDir, DEV_BUNDLE_FILE, generatedDir, renderFiles, writeChanged } from "../src/generate.js";
import { internalUrl, publicBaseUrl } from "../src/server.js";

async function app(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-gen-"));
  await mkdir(join(dir, "app"));
  return dir;
}

describe("generated files", () => {
  it("puts the routes under app/.well-known/workflow/v1, or src/app when the app uses src/", async () => {
    const plain = await app();
    expect(generatedDir(appRouterDir(plain))).toBe(join(plain, "app/.well-known/workflow"));
    const withSrc = await mkdtemp(join(tmpdir(), "hookline-gen-"));
    await mkdir(join(withSrc, "src/app"), { recursive: true });
    expect(generatedDir(appRouterDir(withSrc))).toBe(join(withSrc, "src/app/.well-known/workflow"));
  });

  it("renders the internal routes, the public webhook route with every method, the registry and a .gitignore", async () => {
    const dir = await app();
    const files = renderFiles({
      routerDir: join(dir, "app"),
      files: [join(dir, "app/workflows/checkout.ts"), join(dir, "lib/steps.tsx"), join(dir, "lib/legacy.mjs")],
      workflows: {
        bundle: 'globalThis.x = "</script>\\u2028";',
        workflowIds: ["workflow//app/workflows/checkout.ts//checkout"],
      },
    });
    expect([...files.keys()].sort()).toEqual([
      ".gitignore",
      "v1/_hookline/registry.ts",
      "v1/_hookline/workflows.ts",
      "v1/flow/route.ts",
      "v1/inspect/[[...path]]/route.ts",
      "v1/step/route.ts",
      "v1/webhook/[token]/route.ts",
    ]);
    expect(files.get("v1/inspect/[[...path]]/route.ts")).toContain("export { handle as GET, handle as POST };");
    expect(files.get(".gitignore")).toMatch(/^\*$/m);
    const registry = files.get("v1/_hookline/registry.ts")!;
    expect(registry).toContain('import "../../../../workflows/checkout";');
    expect(registry).toContain('import "../../../../../lib/steps";');
    expect(registry).toContain('import "../../../../../lib/legacy.mjs";');
    expect(registry).toContain("registerWorkflowBundle({ code: workflowBundle");
    const webhook = files.get("v1/webhook/[token]/route.ts")!;
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
      expect(webhook).toContain(`handle as ${method}`);
    expect(files.get("v1/flow/route.ts")).toContain("export const POST = flowRoute(");
    expect(files.get("v1/step/route.ts")).toContain("export const POST = stepRoute(");
    expect(registry).toContain('import { workflowBundle, workflowIds } from "./workflows";');
    // The bundle survives as a string literal, byte for byte.
    const workflows = files.get("v1/_hookline/workflows.ts")!;
    const literal = workflows.match(/workflowBundle: string = (".*");\n/)![1]!;
    expect(JSON.parse(literal)).toBe('globalThis.x = "</script>\\u2028";');
    expect(workflows).toContain(
      'export const workflowIds: readonly string[] = ["workflow//app/workflows/checkout.ts//checkout"];',
    );
  });

  it("under next dev, renders a workflows module that waits for the background build and reads the bundle it wrote", async () => {
    const dir = await app();
    const render = (version: string) =>
      renderFiles({
        routerDir: join(dir, "app"),
        files: [join(dir, "app/workflows/checkout.ts")],
        workflows: { dev: { version } },
      });
    const pending = render("pending");
    const workflows = pending.get("v1/_hookline/workflows.ts")!;
    expect(workflows).toContain('import { devWorkflowBundle } from "hookline/internal/next";');
    expect(workflows).toContain(
      `await devWorkflowBundle(${JSON.stringify(join(dir, "app/.well-known/workflow", DEV_BUNDLE_FILE))})`,
    );
    // A new bundle changes the module, so Next evaluates it (and the routes importing it) again.
    expect(render("abc").get("v1/_hookline/workflows.ts")).not.toBe(workflows);
    // Everything else is what a build writes.
    const built = renderFiles({
      routerDir: join(dir, "app"),
      files: [join(dir, "app/workflows/checkout.ts")],
      workflows: { bundle: "", workflowIds: [] },
    });
    for (const [name, content] of built)
      if (name !== "v1/_hookline/workflows.ts") expect(pending.get(name), name).toBe(content);
  });

  it("writes only the files whose content changed", async () => {
    const dir = await app();
    const out = join(dir, "app/.well-known/workflow");
    const first = new Map([
      ["a.ts", "one"],
      ["v1/b.ts", "two"],
    ]);
    expect((await writeChanged(out, first)).map((p) => p.slice(out.length + 1))).toEqual(["a.ts", "v1/b.ts"]);
    const before = (await stat(join(out, "a.ts"))).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await writeChanged(out, first)).toEqual([]);
    expect((await stat(join(out, "a.ts"))).mtimeMs).toBe(before);
    const second = new Map([...first, ["v1/b.ts", "three"]]);
    expect((await writeChanged(out, second)).map((p) => p.slice(out.length + 1))).toEqual(["v1/b.ts"]);
    expect(await readFile(join(out, "v1/b.ts"), "utf8")).toBe("three");
    // A file edited by hand is put back.
    await writeFile(join(out, "a.ts"), "edited");
    expect(await writeChanged(out, second)).toEqual([join(out, "a.ts")]);
  });
});

describe("URLs", () => {
  it("include the basePath in webhook URLs and in the runtime's requests to itself", () => {
    const env = { PORT: "4123", __NEXT_PRIVATE_ORIGIN: "http://localhost:4123", HOOKLINE_NEXT_BASE_PATH: "/shop" };
    expect(publicBaseUrl(env)).toBe("http://localhost:4123/shop");
    expect(internalUrl("flow", env)).toBe("http://localhost:4123/shop/.well-known/workflow/v1/flow");
    expect(internalUrl("step", { ...env, HOOKLINE_NEXT_TRAILING_SLASH: "1" })).toBe(
      "http://localhost:4123/shop/.well-known/workflow/v1/step/",
    );
  });

  it("prefer HOOKLINE_BASE_URL for what outside services call, adding the basePath once", () => {
    expect(publicBaseUrl({ HOOKLINE_BASE_URL: "https://shop.example.com/", HOOKLINE_NEXT_BASE_PATH: "/shop" })).toBe(
      "https://shop.example.com/shop",
    );
    expect(publicBaseUrl({ HOOKLINE_BASE_URL: "https://example.com/shop", HOOKLINE_NEXT_BASE_PATH: "/shop" })).toBe(
      "https://example.com/shop",
    );
    expect(publicBaseUrl({ PORT: "3000" })).toBe("http://localhost:3000");
    // Requests to itself never go to the public URL (another instance could answer).
    expect(internalUrl("flow", { HOOKLINE_BASE_URL: "https://example.com", PORT: "3001" })).toBe(
      "http://localhost:3001/.well-known/workflow/v1/flow",
    );
  });
});
