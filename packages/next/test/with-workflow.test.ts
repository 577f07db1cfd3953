import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NextConfig } from "next";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DIRECTIVE_PATTERN, SERVER_CONTENT_PATTERN } from "../src/directives.js";
import {
  applyWorkflowConfig,
  createWithWorkflow,
  PHASE_DEVELOPMENT_SERVER,
  PHASE_PRODUCTION_SERVER,
} from "../src/with-workflow.js";

const LOADER = "/repo/node_modules/@hookline/next/dist/loader.cjs";
const APP = "/repo/apps/web";

type Rule = { condition: { all: unknown[] }; loaders: { loader: string; options: { mode: string; root: string } }[] };

describe("applyWorkflowConfig", () => {
  it("adds a Turbopack rule per source extension: step mode on the server, client mode in the browser, only for files with a directive (on the server, also those naming a serialization symbol)", () => {
    const config = applyWorkflowConfig({}, { appDir: APP, loader: LOADER, transform: "t1" });
    const rules = config.turbopack!.rules as Record<string, Rule[]>;
    expect(Object.keys(rules).sort()).toEqual(["*.cjs", "*.cts", "*.js", "*.jsx", "*.mjs", "*.mts", "*.ts", "*.tsx"]);
    for (const [glob, items] of Object.entries(rules)) {
      expect(items, glob).toHaveLength(2);
      const [server, browser] = items as [Rule, Rule];
      expect(server.condition.all[0]).toEqual({ not: "browser" });
      expect(browser.condition.all[0]).toBe("browser");
      // Server code naming a serialization symbol is compiled too, for its classes' registration.
      expect(server.condition.all).toContainEqual({ content: SERVER_CONTENT_PATTERN });
      expect(browser.condition.all).toContainEqual({ content: DIRECTIVE_PATTERN });
      for (const rule of [server, browser])
        expect(rule.condition.all).toContainEqual({ not: { path: expect.any(RegExp) } });
      expect(server.loaders).toEqual([
        { loader: LOADER, options: { mode: "step", root: APP, transform: "t1", dev: false } },
      ]);
      expect(browser.loaders).toEqual([
        { loader: LOADER, options: { mode: "client", root: APP, transform: "t1", dev: false } },
      ]);
    }
    const [, notNodeModules, notGenerated] = (rules["*.ts"]![0] as Rule).condition.all as { not: { path: RegExp } }[];
    expect(notNodeModules!.not.path.test("/repo/node_modules/pkg/index.ts")).toBe(true);
    expect(notGenerated!.not.path.test("/repo/apps/web/app/.well-known/workflow/v1/_hookline/registry.ts")).toBe(true);
    expect(notGenerated!.not.path.test("/repo/apps/web/app/workflows/checkout.ts")).toBe(false);
  });

  it("produces a config Next.js 16 accepts", () => {
    const require = createRequire(import.meta.url);
    const { configSchema } = require("next/dist/server/config-schema") as {
      configSchema: { safeParse(v: unknown): { success: boolean; error?: unknown } };
    };
    const config = applyWorkflowConfig({ reactStrictMode: true }, { appDir: APP, loader: LOADER });
    const parsed = configSchema.safeParse(config);
    expect(parsed.error).toBeUndefined();
    expect(parsed.success).toBe(true);
  });

  it("keeps the runtime's internal calls out of next dev's request log, with the user's own ignore patterns", () => {
    const logged = (config: NextConfig, url: string) => {
      const incoming = applyWorkflowConfig(config, { appDir: APP, loader: LOADER }).logging;
      if (incoming === false || incoming?.incomingRequests === false) return false;
      const ignore = typeof incoming?.incomingRequests === "object" ? (incoming.incomingRequests.ignore ?? []) : [];
      return !ignore.some((pattern) => pattern.test(url));
    };
    for (const url of [
      "/.well-known/workflow/v1/flow",
      "/.well-known/workflow/v1/step?x=1",
      "/docs/.well-known/workflow/v1/flow",
    ]) {
      expect(logged({}, url), url).toBe(false);
    }
    for (const url of [
      "/.well-known/workflow/v1/webhook/abc",
      "/.well-known/workflow/v1/inspect",
      "/api/flow",
      "/.well-known/workflow/v1/flowers",
    ]) {
      expect(logged({}, url), url).toBe(true);
    }
    const own = {
      logging: { fetches: { fullUrl: true }, incomingRequests: { ignore: [/\/health/] } },
    } satisfies NextConfig;
    expect(logged(own, "/health")).toBe(false);
    expect(applyWorkflowConfig(own, { appDir: APP, loader: LOADER }).logging).toMatchObject({
      fetches: { fullUrl: true },
    });
    expect(applyWorkflowConfig({ logging: false }, { appDir: APP, loader: LOADER }).logging).toBe(false);
    expect(
      applyWorkflowConfig({ logging: { incomingRequests: false } }, { appDir: APP, loader: LOADER }).logging,
    ).toEqual({ incomingRequests: false });
  });

  it("keeps the user's config: other options, existing Turbopack rules, webpack function, external packages", () => {
    const userRule = { loaders: ["@svgr/webpack"], as: "*.js" };
    const userWebpack = vi.fn((config: { marker?: boolean }) => ({ ...config, marker: true }));
    const config = applyWorkflowConfig(
      {
        basePath: "/shop",
        serverExternalPackages: ["sharp", "hookline"],
        turbopack: { resolveAlias: { a: "b" }, rules: { "*.svg": userRule, "*.ts": userRule } },
        webpack: userWebpack as unknown as NextConfig["webpack"],
      },
      { appDir: APP, loader: LOADER },
    );
    expect(config.basePath).toBe("/shop");
    expect(config.serverExternalPackages).toEqual(["sharp", "hookline"]);
    expect(config.turbopack?.resolveAlias).toEqual({ a: "b" });
    const rules = config.turbopack!.rules as Record<string, unknown[]>;
    expect(rules["*.svg"]).toBe(userRule);
    expect(rules["*.ts"]![0]).toBe(userRule);
    expect(rules["*.ts"]).toHaveLength(3);

    const webpackConfig = { module: { rules: [] as unknown[] } };
    const result = config.webpack!(webpackConfig, { isServer: true } as never) as { marker: boolean };
    expect(result.marker).toBe(true);
    expect(userWebpack).toHaveBeenCalledOnce();
  });

  it("adds one webpack rule before Next's compiler: step mode for server compilations, client mode for the browser", () => {
    const config = applyWorkflowConfig({}, { appDir: APP, loader: LOADER });
    const server = { module: { rules: [] as Record<string, unknown>[] } };
    config.webpack!(server, { isServer: true } as never);
    expect(server.module.rules).toHaveLength(1);
    const rule = server.module.rules[0]!;
    expect(rule).toMatchObject({ enforce: "pre", use: [{ loader: LOADER, options: { mode: "step", root: APP } }] });
    for (const file of ["a.ts", "a.tsx", "a.mjs", "a.cjs", "a.jsx", "a.mts"])
      expect((rule.test as RegExp).test(file), file).toBe(true);
    expect((rule.test as RegExp).test("a.css")).toBe(false);
    const browser = { module: { rules: [] as Record<string, unknown>[] } };
    config.webpack!(browser, { isServer: false } as never);
    expect(browser.module.rules[0]).toMatchObject({ use: [{ options: { mode: "client" } }] });
  });

  it("builds server code with source maps and unminified, so stacks keep helpers' and classes' names; the app's own choice stands", () => {
    const apply = (experimental: NextConfig["experimental"]) =>
      applyWorkflowConfig({ experimental }, { appDir: APP, loader: LOADER }).experimental;
    const off = { turbopackScopeHoisting: false };
    expect(apply(undefined)).toEqual({ serverSourceMaps: true, serverMinification: false, ...off });
    expect(
      apply({ serverMinification: true, serverSourceMaps: false, cssChunking: true, turbopackScopeHoisting: true }),
    ).toEqual({
      serverMinification: true,
      serverSourceMaps: false,
      cssChunking: true,
      turbopackScopeHoisting: true,
    });
    // Turbopack reads turbopackMinify first: set, it is the app's choice for Turbopack and webpack alike.
    expect(apply({ turbopackMinify: true })).toEqual({ turbopackMinify: true, serverSourceMaps: true, ...off });
    expect(apply({ turbopackMinify: { client: false } })).toEqual({
      turbopackMinify: { client: false },
      serverSourceMaps: true,
      serverMinification: false,
      ...off,
    });
    // webpack: server compilations are not concatenated into one scope (names two modules share would be renamed).
    const config = applyWorkflowConfig({}, { appDir: APP, loader: LOADER });
    const server = { module: { rules: [] }, optimization: { minimize: true } };
    config.webpack!(server, { isServer: true } as never);
    expect(server.optimization).toEqual({ minimize: true, concatenateModules: false });
    const browser = { module: { rules: [] }, optimization: { minimize: true } };
    config.webpack!(browser, { isServer: false } as never);
    expect(browser.optimization).toEqual({ minimize: true });
  });

  it("has a standalone server trace the server chunks' source maps (Next's tracer leaves .map files out), after the app's own hook", async () => {
    expect(
      applyWorkflowConfig({}, { appDir: APP, loader: LOADER }).compiler?.runAfterProductionCompile,
    ).toBeUndefined();
    const dist = await mkdtemp(join(tmpdir(), "hookline-dist-"));
    const stepDir = join(dist, "server", "app", ".well-known", "workflow", "v1", "step");
    await mkdir(join(dist, "server", "chunks", "ssr"), { recursive: true });
    await mkdir(stepDir, { recursive: true });
    await writeFile(
      join(stepDir, "route.js.nft.json"),
      JSON.stringify({ version: 1, files: ["../../../../../chunks/a.js"] }),
    );
    for (const file of ["chunks/a.js", "chunks/a.js.map", "chunks/ssr/b.js.map", "chunks/c.css.map"])
      await writeFile(join(dist, "server", file), "");
    const own = vi.fn(async () => {});
    const config = applyWorkflowConfig(
      { output: "standalone", compiler: { runAfterProductionCompile: own } },
      { appDir: APP, loader: LOADER },
    );
    await config.compiler!.runAfterProductionCompile!({ projectDir: dist, distDir: "." });
    expect(own).toHaveBeenCalledOnce();
    const traced = JSON.parse(await readFile(join(stepDir, "route.js.nft.json"), "utf8")) as {
      version: number;
      files: string[];
    };
    expect(traced.version).toBe(1);
    expect(traced.files.sort()).toEqual([
      "../../../../../chunks/a.js",
      "../../../../../chunks/a.js.map",
      "../../../../../chunks/ssr/b.js.map",
    ]);
  });

  it("keeps hookline external to the server bundle (one runtime per server; world drivers such as pg stay out)", () => {
    expect(applyWorkflowConfig({}, { appDir: APP, loader: LOADER }).serverExternalPackages).toEqual(["hookline"]);
  });
});

describe("the content condition", () => {
  it("matches files with a directive and no others", () => {
    expect(DIRECTIVE_PATTERN.test('export async function f() {\n  "use workflow";\n}')).toBe(true);
    expect(DIRECTIVE_PATTERN.test("async function g() { 'use step'; }")).toBe(true);
    expect(DIRECTIVE_PATTERN.test('"use client";\nexport default function Page() {}')).toBe(false);
    expect(DIRECTIVE_PATTERN.test("throw new Error('add \"use workflow\" first')")).toBe(false);
  });

  it("on the server, also matches files naming a serialization symbol", () => {
    expect(SERVER_CONTENT_PATTERN.test("async function g() { 'use step'; }")).toBe(true);
    expect(SERVER_CONTENT_PATTERN.test('import { WORKFLOW_SERIALIZE as S } from "hookline";')).toBe(true);
    expect(SERVER_CONTENT_PATTERN.test('static [Symbol.for("workflow-serialize")](x) {}')).toBe(true);
    expect(SERVER_CONTENT_PATTERN.test('"use client";\nexport default function Page() {}')).toBe(false);
    expect(DIRECTIVE_PATTERN.test('import { WORKFLOW_SERIALIZE } from "hookline";')).toBe(false);
  });
});

describe("withWorkflow", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  // The server phases start the runtime in the background; the tests do not want that.
  (globalThis as Record<symbol, unknown>)[Symbol.for("hookline.next.booted")] = true;
  const withWorkflow = createWithWorkflow({ deploymentSecrets: async () => ["x".repeat(32)] });

  it("accepts a config function and passes it the phase", async () => {
    const input = vi.fn(async (phase: string) => ({ env: { PHASE: phase } }));
    const config = await withWorkflow(input)(PHASE_PRODUCTION_SERVER, { defaultConfig: {} });
    expect(input).toHaveBeenCalledWith(PHASE_PRODUCTION_SERVER, { defaultConfig: {} });
    expect(config.env).toEqual({ PHASE: PHASE_PRODUCTION_SERVER });
    expect(config.turbopack?.rules?.["*.ts"]).toBeDefined();
  });

  it("tells the server process its basePath and world", async () => {
    await withWorkflow({ basePath: "/shop", trailingSlash: true }, { world: "postgres" })(PHASE_PRODUCTION_SERVER, {
      defaultConfig: {},
    });
    expect(process.env.HOOKLINE_NEXT_SERVER).toBe("1");
    expect(process.env.HOOKLINE_NEXT_BASE_PATH).toBe("/shop");
    expect(process.env.HOOKLINE_NEXT_TRAILING_SLASH).toBe("1");
    expect(process.env.HOOKLINE_WORLD).toBe("postgres");
  });

  it("leaves the world to HOOKLINE_WORLD when not chosen in code, and sets nothing outside a server", async () => {
    process.env.HOOKLINE_WORLD = "local";
    delete process.env.HOOKLINE_NEXT_SERVER;
    await withWorkflow({})("phase-export", { defaultConfig: {} });
    expect(process.env.HOOKLINE_WORLD).toBe("local");
    expect(process.env.HOOKLINE_NEXT_SERVER).toBeUndefined();
    expect(PHASE_DEVELOPMENT_SERVER).toBe("phase-development-server");
  });
});
