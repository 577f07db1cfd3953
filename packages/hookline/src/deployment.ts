/**
 * The deployment secret, for signing the runtime's requests to its own routes: the same
 * secret the runtime issues webhook tokens from (HOOKLINE_SECRET, else the world's own).
 */
import { ConfigError } from "@hookline/core";
import { getRuntime } from "@hookline/core/runtime";
import type { World } from "@hookline/core/world";
import "./configure.js";
import { worldFromEnv } from "./world-config.js";

function fromEnv(): string[] | null {
  const value = process.env.HOOKLINE_SECRET;
  return value ? value.split(",").map((s) => s.trim()).filter(Boolean) : null;
}

async function fromWorld(world: World): Promise<string[]> {
  if (world.loadSecret) return [await world.loadSecret()];
  throw new ConfigError(
    `The ${world.name} world is shared between instances, so they need one deployment secret: set HOOKLINE_SECRET to at least 32 random characters (e.g. \`openssl rand -hex 32\`), the same on every instance.`,
  );
}

/** In server code (the generated routes, the runtime): read through the process's runtime, so no second world opens. */
export async function deploymentSecrets(): Promise<string[]> {
  return fromEnv() ?? fromWorld((await getRuntime()).world);
}

let outside: Promise<string[]> | null = null;

/**
 * Where next.config runs (withWorkflow's start-up and dev-rebuild requests): that module copy
 * must not own the runtime (requests and steps run in the routes' copy), so the secret is read
 * once through a short-lived world.
 */
export function deploymentSecretsOutsideRuntime(): Promise<string[]> {
  const env = fromEnv();
  if (env) return Promise.resolve(env);
  outside ??= (async () => {
    const world = await worldFromEnv();
    try {
      return await fromWorld(world);
    } finally {
      await world.close().catch(() => {});
    }
  })();
  outside.catch(() => {
    outside = null;
  });
  return outside;
}
