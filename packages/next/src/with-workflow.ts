/**
 * withWorkflow(nextConfig, options): the one line a user adds to next.config.
 *
 * - Compiles directive files as they are loaded: Turbopack rules (conditioned on the directive,
 *   so other files are never touched) and an equivalent webpack rule. Server code gets step
 *   mode (steps registered, workflows become stubs that start() accepts); browser code gets
 *   client mode.
 * - In `next build`: scans the app for workflow files, bundles them for the replay sandbox and
 *   generates the routes under app/.well-known/workflow/v1/. In `next dev` the routes are
 *   written at once and the bundle is built in the background, again on every change
 *   (dev-build.ts), so next.config is evaluated without loading Babel or esbuild.
 * - In the `next dev` / `next start` server: tells the runtime how to reach its own routes and
 *   starts it once the server listens, so interrupted runs continue by themselves. A standalone
 *   server.js never runs next.config: there the same is done from the config it embeds, and the
 *   app's instrumentation starts the runtime (see standalone.ts).
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { afterFirstRequest, bootOnce } from "./boot.js";
import { startDevBuilds } from "./dev-build.js";
import { DIRECTIVE_PATTERN, GENERATED_PATH, SERVER_CONTENT_PATTERN, SOURCE_EXTENSIONS } from "./directives.js";
import { installRequestStamp } from "./request-stamp.js";
import { ENV, type Integration } from "./server.js";
import { keepServerModuleNames, readableServerStacks } from "./server-stacks.js";
import { standaloneWarning } from "./standalone-check.js";
import { type WebhookOptions, webhookEnv } from "./webhook-options.js";

export interface WithWorkflowOptions {
  /**
   * Where runs live: "local" (default; files under .hookline/ in the app) or "postgres"
   * (HOOKLINE_POSTGRES_URL; several instances share it). Overrides HOOKLINE_WORLD.
   */
  world?: "local" | "postgres";
  /** The app's folder (default: the folder `next` runs in). */
  appDir?: string;
  /**
   * The public webhook route's limits and the proxies to trust for a caller's address; each
   * overrides its environment variable (see webhook-options.ts and docs/webhooks.md).
   */
  webhooks?: WebhookOptions;
}

type Phase = string;
type ConfigContext = { defaultConfig: NextConfig };
export type NextConfigInput = NextConfig | ((phase: Phase, context: ConfigContext) => NextConfig | Promise<NextConfig>);
export type NextConfigFunction = (phase: Phase, context: ConfigContext) => Promise<NextConfig>;

export const PHASE_PRODUCTION_BUILD = "phase-production-build";
export const PHASE_DEVELOPMENT_SERVER = "phase-development-server";
export const PHASE_PRODUCTION_SERVER = "phase-production-server";

const NODE_MODULES_PATH = /[\\/]node_modules[\\/]/;

export interface LoaderOptions {
  mode: "step" | "client";
  root: string;
  /** Changes with the transform, so Turbopack's persistent cache never serves output of an older one. */
  transform: string;
  /** `next dev`: a transform error is thrown where the module runs, so the overlay's headline is Hookline's message. */
  dev?: boolean;
}

/** Identifies the installed transform (its entry file's size and time), for loader caches. */
export function transformFingerprint(): string {
  try {
    const entry = createRequire(import.meta.url).resolve("@hookline/transform");
    const { size, mtimeMs } = statSync(entry);
    return createHash("sha256").update(`${entry}:${size}:${mtimeMs}`).digest("hex").slice(0, 16);
  } catch {
    return "unknown";
  }
}

/** The loader's file: its CommonJS build, beside this module in dist/ (Turbopack and webpack require() it). */
export function loaderPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "loader.cjs");
}

/** What withWorkflow adds to a config: pure, so it can be tested. */
export function applyWorkflowConfig(
  config: NextConfig,
  {
    appDir,
    loader,
    transform = transformFingerprint(),
    world,
    webhooks,
    dev = false,
  }: {
    appDir: string;
    loader: string;
    transform?: string;
    world?: WithWorkflowOptions["world"];
    webhooks?: WebhookOptions;
    dev?: boolean;
  },
): NextConfig {
  const rules: Record<string, unknown> = { ...(config.turbopack?.rules as Record<string, unknown> | undefined) };
  const rule = (mode: LoaderOptions["mode"]) => ({
    condition: {
      all: [
        mode === "client" ? "browser" : { not: "browser" },
        { not: { path: NODE_MODULES_PATH } },
        { not: { path: GENERATED_PATH } },
        { content: mode === "client" ? DIRECTIVE_PATTERN : SERVER_CONTENT_PATTERN },
      ],
    },
    loaders: [{ loader, options: { mode, root: appDir, transform, dev } satisfies LoaderOptions }],
  });
  for (const ext of SOURCE_EXTENSIONS) {
    const glob = `*${ext}`;
    const existing = rules[glob];
    const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    rules[glob] = [...before, rule("step"), rule("client")];
  }

  const userWebpack = config.webpack;
  const webpack: NextConfig["webpack"] = (webpackConfig, context) => {
    webpackConfig.module ??= {};
    webpackConfig.module.rules ??= [];
    webpackConfig.module.rules.push({
      test: /\.[cm]?[jt]sx?$/,
      // Before Next's SWC loader, on the original source.
      enforce: "pre",
      exclude: [NODE_MODULES_PATH, GENERATED_PATH],
      use: [
        {
          loader,
          options: { mode: context.isServer ? "step" : "client", root: appDir, transform, dev } satisfies LoaderOptions,
        },
      ],
    });
    keepServerModuleNames(webpackConfig, context.isServer);
    return userWebpack ? userWebpack(webpackConfig, context) : webpackConfig;
  };

  return {
    ...config,
    turbopack: { ...config.turbopack, rules: rules as NonNullable<NextConfig["turbopack"]>["rules"] },
    webpack,
    // Loaded by Node at run time, not bundled: one copy of the runtime per server, and world
    // drivers (pg) stay out of the bundle.
    serverExternalPackages: [...new Set([...(config.serverExternalPackages ?? []), "hookline"])],
    // `next dev` logs no request the user did not make: the runtime's calls to its internal routes.
    ...(config.logging === false
      ? {}
      : { logging: { ...config.logging, incomingRequests: quietInternalRoutes(config.logging) } }),
    ...readableServerStacks(config),
    // What is chosen in code (the world, the webhook limits), where a standalone server (which
    // never runs next.config) reads it.
    ...(world || webhooks
      ? { env: { ...config.env, ...(world ? { HOOKLINE_WORLD: world } : {}), ...webhookEnv(webhooks) } }
      : {}),
  };
}

/** The runtime's own calls (start-up, steps): never the user's requests, nor a sender's (the webhook route is logged). */
const INTERNAL_ROUTES = /\/\.well-known\/workflow\/v1\/(?:flow|step)(?:[/?]|$)/;

function quietInternalRoutes(logging: NextConfig["logging"]): boolean | { ignore: RegExp[] } {
  const current = logging ? logging.incomingRequests : undefined;
  if (current === false) return false;
  return { ignore: [...(typeof current === "object" ? (current.ignore ?? []) : []), INTERNAL_ROUTES] };
}

const BUILT = "HOOKLINE_NEXT_PRIVATE_BUILT";
/** `next dev` starts the runtime after the first request, or after this long quiet without one. */
const DEV_QUIET_MS = 3_000;
const WATCHING = Symbol.for("hookline.next.watching");

export function createWithWorkflow(integration: Integration) {
  return function withWorkflow(input: NextConfigInput = {}, options: WithWorkflowOptions = {}): NextConfigFunction {
    return async (phase, context) => {
      const base = typeof input === "function" ? await input(phase, context) : input;
      const appDir = options.appDir ?? process.cwd();
      const config = applyWorkflowConfig(base, {
        appDir,
        loader: loaderPath(),
        world: options.world,
        webhooks: options.webhooks,
        dev: phase === PHASE_DEVELOPMENT_SERVER,
      });
      if (options.world) process.env.HOOKLINE_WORLD = options.world;
      Object.assign(process.env, webhookEnv(options.webhooks));

      const stampKey = transformFingerprint();
      if (phase === PHASE_PRODUCTION_BUILD && !process.env[BUILT]) {
        // Babel and esbuild load only here; `next dev` builds in the background (dev-build.ts).
        const { buildWorkflows, summarize } = await import("./builder.js");
        const result = await buildWorkflows({ appDir, distDir: base.distDir, stampKey });
        for (const warning of result.warnings) console.warn(`[hookline] ${warning}`);
        const standalone = standaloneWarning(base, appDir);
        if (standalone) console.warn(`[hookline] ${standalone}`);
        console.log(`[hookline] ${summarize(result, appDir)}`);
        // Next loads the config again in its build workers; they inherit this and skip the build.
        process.env[BUILT] = "1";
      }

      if (phase === PHASE_DEVELOPMENT_SERVER || phase === PHASE_PRODUCTION_SERVER) {
        process.env[ENV.server] = "1";
        // The inspector is open under `next dev` only (not by NODE_ENV, which a deployment may set oddly).
        process.env[ENV.dev] = phase === PHASE_DEVELOPMENT_SERVER ? "1" : "0";
        process.env[ENV.basePath] = base.basePath ?? "";
        process.env[ENV.trailingSlash] = base.trailingSlash ? "1" : "0";
        // Before the server loads its chunks (Node reads a file's source map when it loads it):
        // errors thrown in steps then name the user's files and lines.
        process.setSourceMapsEnabled(true);
        installRequestStamp();
        const slot = globalThis as Record<symbol, unknown>;
        // next dev starts the runtime, and runs its first workflow build, once the developer's
        // first request is answered: neither competes with that request for the CPU.
        const after = phase === PHASE_DEVELOPMENT_SERVER ? afterFirstRequest(DEV_QUIET_MS) : undefined;
        if (after && !slot[WATCHING]) {
          slot[WATCHING] = true;
          await startDevBuilds({ appDir, distDir: base.distDir, stampKey, integration, after });
        }
        bootOnce(integration, { exitOnConfigError: phase === PHASE_PRODUCTION_SERVER, ...(after ? { after } : {}) });
      }
      return config;
    };
  };
}
