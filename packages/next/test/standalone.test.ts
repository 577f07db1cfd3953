import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { internalUrl, nextRuntimeOptions, publicBaseUrl } from "../src/server.js";
import {
  applyStandaloneConfig,
  STANDALONE_CONFIG,
  startStandaloneServer,
  warnIfStandaloneNotStarted,
} from "../src/standalone.js";
import { instrumentationFiles, standaloneWarning } from "../src/standalone-check.js";
import { applyWorkflowConfig } from "../src/with-workflow.js";

const integration = { deploymentSecrets: async () => ["x".repeat(32)] };
/** The environment a standalone server.js sets up: the resolved config, as JSON (see next/dist/build/utils.js). */
const standalone = (config: Record<string, unknown>) => ({
  [STANDALONE_CONFIG]: JSON.stringify({ distDir: "./.next", ...config }),
  PORT: "4123",
});

describe("a standalone server's setup", () => {
  it("takes basePath and trailingSlash from the embedded config, so webhook URLs and internal calls carry them", () => {
    const env: Record<string, string | undefined> = standalone({ basePath: "/shop", trailingSlash: true });
    expect(applyStandaloneConfig(env)).toBe(true);
    expect(env).toMatchObject({
      HOOKLINE_NEXT_SERVER: "1",
      HOOKLINE_NEXT_BASE_PATH: "/shop",
      HOOKLINE_NEXT_TRAILING_SLASH: "1",
    });
    expect(publicBaseUrl(env)).toBe("http://localhost:4123/shop");
    expect(internalUrl("flow", env)).toBe("http://localhost:4123/shop/.well-known/workflow/v1/flow/");
  });

  it("without a basePath, serves at the root", () => {
    const env: Record<string, string | undefined> = standalone({ basePath: "", trailingSlash: false });
    applyStandaloneConfig(env);
    expect(env).toMatchObject({ HOOKLINE_NEXT_BASE_PATH: "", HOOKLINE_NEXT_TRAILING_SLASH: "0" });
    expect(internalUrl("step", env)).toBe("http://localhost:4123/.well-known/workflow/v1/step");
  });

  it("uses the world chosen with withWorkflow({ world }), which the build embeds in the config's env", () => {
    const config = applyWorkflowConfig(
      { env: { OTHER: "1" } },
      { appDir: "/app", loader: "/l.cjs", transform: "t", world: "postgres" },
    );
    expect(config.env).toEqual({ OTHER: "1", HOOKLINE_WORLD: "postgres" });
    expect(applyWorkflowConfig({}, { appDir: "/app", loader: "/l.cjs", transform: "t" }).env).toBeUndefined();
    const env: Record<string, string | undefined> = { ...standalone({ env: config.env }), HOOKLINE_WORLD: "local" };
    applyStandaloneConfig(env);
    expect(env.HOOKLINE_WORLD).toBe("postgres");
    // Not chosen in code: HOOKLINE_WORLD from the environment stays.
    const plain: Record<string, string | undefined> = { ...standalone({ env: {} }), HOOKLINE_WORLD: "local" };
    applyStandaloneConfig(plain);
    expect(plain.HOOKLINE_WORLD).toBe("local");
  });

  it("does nothing outside a standalone server (next start and next dev are set up by withWorkflow)", () => {
    const env: Record<string, string | undefined> = { HOOKLINE_NEXT_SERVER: "1", HOOKLINE_NEXT_BASE_PATH: "/a" };
    expect(applyStandaloneConfig(env)).toBe(false);
    expect(env).toEqual({ HOOKLINE_NEXT_SERVER: "1", HOOKLINE_NEXT_BASE_PATH: "/a" });
    const boot = vi.fn();
    expect(startStandaloneServer(integration, { env: {}, boot })).toBe(false);
    expect(boot).not.toHaveBeenCalled();
  });

  it("starts the runtime from instrumentation, exiting on a configuration error as next start does", () => {
    const boot = vi.fn();
    const env: Record<string, string | undefined> = standalone({ basePath: "/shop" });
    expect(startStandaloneServer(integration, { env, boot })).toBe(true);
    expect(boot).toHaveBeenCalledExactlyOnceWith(integration, { exitOnConfigError: true });
    // Set up before the boot's request to the flow route, so it goes below the basePath.
    expect(env.HOOKLINE_NEXT_BASE_PATH).toBe("/shop");
  });

  it("gives the runtime its Next.js options (code loading, URLs) once set up", () => {
    const saved = { ...process.env };
    try {
      delete process.env.HOOKLINE_NEXT_SERVER;
      Object.assign(process.env, standalone({ basePath: "/shop" }));
      expect(nextRuntimeOptions(integration)).toEqual({});
      applyStandaloneConfig();
      const options = nextRuntimeOptions(integration);
      expect(options.baseUrl).toBe("http://localhost:4123/shop");
      expect(options.ensureCode).toBeTypeOf("function");
    } finally {
      process.env = saved;
    }
  });

  it("a runtime made in a standalone server that instrumentation did not start says so, once", () => {
    const warn = vi.fn();
    warnIfStandaloneNotStarted({}, warn);
    expect(warn).not.toHaveBeenCalled();
    const slot = globalThis as Record<symbol, unknown>;
    const booted = Symbol.for("hookline.next.booted");
    const before = slot[booted];
    try {
      slot[booted] = true;
      warnIfStandaloneNotStarted(standalone({}), warn);
      expect(warn).not.toHaveBeenCalled();
      slot[booted] = undefined;
      warnIfStandaloneNotStarted(standalone({}), warn);
      warnIfStandaloneNotStarted(standalone({}), warn);
      expect(warn).toHaveBeenCalledOnce();
      expect(warn.mock.calls[0]![0]).toContain('export { register } from "hookline/instrumentation"');
    } finally {
      slot[booted] = before;
    }
  });
});

describe("next build with output: standalone", () => {
  it("warns when the app's instrumentation does not start Hookline's runtime, and says how", async () => {
    const app = await mkdtemp(join(tmpdir(), "hookline-standalone-"));
    expect(standaloneWarning({}, app)).toBeNull();
    expect(standaloneWarning({ output: "standalone" }, app)).toContain(
      'export { register } from "hookline/instrumentation"',
    );
    await writeFile(join(app, "instrumentation.ts"), "export function register() {}\n");
    expect(instrumentationFiles(app)).toEqual([join(app, "instrumentation.ts")]);
    expect(standaloneWarning({ output: "standalone" }, app)).not.toBeNull();
  });

  it("is quiet when it does, at the app's root or in src/", async () => {
    const app = await mkdtemp(join(tmpdir(), "hookline-standalone-"));
    await mkdir(join(app, "src"));
    await writeFile(
      join(app, "src", "instrumentation.js"),
      'import { register as hookline } from "hookline/instrumentation";\nexport async function register() { await hookline(); }\n',
    );
    expect(instrumentationFiles(app)).toEqual([join(app, "src", "instrumentation.js")]);
    expect(standaloneWarning({ output: "standalone" }, app)).toBeNull();
  });
});
