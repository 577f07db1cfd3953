/**
 * `output: "standalone"`: the server.js Next generates never runs next.config. It embeds the
 * resolved config and hands it to Next in `__NEXT_PRIVATE_STANDALONE_CONFIG`, so what withWorkflow
 * does in a `next start` server is done from that config instead:
 *
 * - the ENV it sets (basePath, trailingSlash, the world and webhook limits chosen in code) by
 *   Hookline's server code as it loads (hookline's configure), before any runtime is made, with
 *   the request stamp (request-stamp.ts) — from the start when instrumentation runs it;
 * - the start of the runtime at server start by `register()` in the app's instrumentation.ts
 *   (`export { register } from "hookline/instrumentation"`), the one code Next runs at start
 *   there: it loads routes only with the first request that needs them.
 */
import { type BootOptions, bootOnce, hasBooted } from "./boot.js";
import { installRequestStamp } from "./request-stamp.js";
import { ENV, type Integration } from "./server.js";
import { WEBHOOK_ENV_NAMES } from "./webhook-options.js";

type Env = Record<string, string | undefined>;

/** Set by the standalone server.js (see copyTracedFiles in next/dist/build/utils.js). */
export const STANDALONE_CONFIG = "__NEXT_PRIVATE_STANDALONE_CONFIG";
/** What an app's instrumentation file imports to start the runtime with a standalone server. */
export const INSTRUMENTATION_MODULE = "hookline/instrumentation";

/** The parts of the embedded config Hookline reads. */
interface EmbeddedConfig {
  basePath?: unknown;
  trailingSlash?: unknown;
  env?: Record<string, unknown>;
}

/** The config a standalone server.js embeds, or null in any other process. */
export function standaloneConfig(env: Env = process.env): EmbeddedConfig | null {
  const text = env[STANDALONE_CONFIG];
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as EmbeddedConfig) : {};
  } catch {
    // Next parsed the same text before any of this runs; an unreadable one means nothing to add.
    return {};
  }
}

/**
 * In a standalone server, sets what withWorkflow sets when next.config loads under `next start`:
 * the server marker, basePath, trailingSlash, the world and webhook options chosen in
 * `withWorkflow` (carried in the config's `env`), and installs the request stamp. Returns whether
 * this is a standalone server.
 */
export function applyStandaloneConfig(env: Env = process.env): boolean {
  const config = standaloneConfig(env);
  if (!config) return false;
  env[ENV.server] = "1";
  env[ENV.basePath] = typeof config.basePath === "string" ? config.basePath : "";
  env[ENV.trailingSlash] = config.trailingSlash === true ? "1" : "0";
  for (const name of ["HOOKLINE_WORLD", ...WEBHOOK_ENV_NAMES]) {
    const value = config.env?.[name];
    if (typeof value === "string" && value) env[name] = value;
  }
  installRequestStamp();
  return true;
}

/**
 * From instrumentation's `register()`: in a standalone server, sets it up and starts the runtime
 * once it listens, exiting on a configuration error as `next start` does. Elsewhere nothing:
 * under `next start` / `next dev`, withWorkflow has done it.
 */
export function startStandaloneServer(
  integration: Integration,
  {
    env = process.env,
    boot = bootOnce,
  }: { env?: Env; boot?: (integration: Integration, options: BootOptions) => void } = {},
): boolean {
  if (!applyStandaloneConfig(env)) return false;
  boot(integration, { exitOnConfigError: true });
  return true;
}

export const INSTRUMENTATION_ADVICE = `Add instrumentation.ts beside next.config with \`export { register } from "${INSTRUMENTATION_MODULE}";\` (or call that register() from your own).`;

const WARNED = Symbol.for("hookline.next.standalone-warned");

/** When a standalone server makes its runtime without register() having started it: says so, once. */
export function warnIfStandaloneNotStarted(
  env: Env = process.env,
  warn: (message: string) => void = console.warn,
): void {
  const slot = globalThis as Record<symbol, unknown>;
  if (!standaloneConfig(env) || hasBooted() || slot[WARNED]) return;
  slot[WARNED] = true;
  warn(
    `[hookline] this standalone server did not start the runtime at start, so it starts now, with a request: runs that were sleeping or retrying waited until then. ${INSTRUMENTATION_ADVICE}`,
  );
}
