/**
 * The deployment secret, for signing the runtime's requests to its own routes: the same
 * secret the runtime issues webhook tokens from (HOOKLINE_SECRET, else the world's own).
 */
import { getRuntime, resolveSecrets, secretsFromEnv } from "@hookline/core/runtime";
import "./configure.js";
import { worldFromEnv } from "./world-config.js";

/** In server code (the generated routes, the runtime): read through the process's runtime, so no second world opens. */
export async function deploymentSecrets(): Promise<string[]> {
  return secretsFromEnv() ?? resolveSecrets(undefined, (await getRuntime()).world);
}

let outside: Promise<string[]> | null = null;

/**
 * Where next.config runs (withWorkflow's start-up and dev-rebuild requests): that module copy
 * must not own the runtime (requests and steps run in the routes' copy), so the secret is read
 * once through a short-lived world.
 */
export function deploymentSecretsOutsideRuntime(): Promise<string[]> {
  const env = secretsFromEnv();
  if (env) return Promise.resolve(env);
  outside ??= (async () => {
    const world = await worldFromEnv();
    try {
      return await resolveSecrets(undefined, world);
    } finally {
      await world.close().catch(() => {});
    }
  })();
  outside.catch(() => {
    outside = null;
  });
  return outside;
}
