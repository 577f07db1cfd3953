/**
 * The deployment secret, for signing the runtime's requests to its own routes: the same
 * secret the runtime issues webhook tokens from (HOOKLINE_SECRET, else the world's own).
 */
import { ConfigError } from "@hookline/core";
import { worldFromEnv } from "./world-config.js";

let secrets: Promise<string[]> | null = null;

export function deploymentSecrets(): Promise<string[]> {
  secrets ??= load();
  // A failure (e.g. a missing variable) is reported each time, and retried by the next caller.
  secrets.catch(() => {
    secrets = null;
  });
  return secrets;
}

async function load(): Promise<string[]> {
  const fromEnv = process.env.HOOKLINE_SECRET;
  if (fromEnv) return fromEnv.split(",").map((s) => s.trim()).filter(Boolean);
  const world = await worldFromEnv();
  if (world.loadSecret) return [await world.loadSecret()];
  throw new ConfigError(
    `The ${world.name} world is shared between instances, so they need one deployment secret: set HOOKLINE_SECRET to at least 32 random characters (e.g. \`openssl rand -hex 32\`), the same on every instance.`,
  );
}
