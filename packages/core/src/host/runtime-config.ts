/** The runtime's settings that come from the environment when not given: secrets and the base URL. */
import { ConfigError } from "../shared/errors.js";
import type { World } from "../world/world.js";

/** HOOKLINE_SECRET's secrets (comma-separated, current first), or null when it is not set. */
export function secretsFromEnv(): string[] | null {
  const value = process.env.HOOKLINE_SECRET;
  return value ? value.split(",").map((s) => s.trim()).filter(Boolean) : null;
}

/** The deployment secrets: as given, else HOOKLINE_SECRET, else the world's own (local). */
export async function resolveSecrets(secret: string | string[] | undefined, world: World): Promise<string[]> {
  if (secret !== undefined) return Array.isArray(secret) ? secret : [secret];
  const fromEnv = secretsFromEnv();
  if (fromEnv) return fromEnv;
  if (world.loadSecret) return [await world.loadSecret()];
  throw new ConfigError(
    `The ${world.name} world is shared between instances, so they need one deployment secret: set HOOKLINE_SECRET to at least 32 random characters (e.g. \`openssl rand -hex 32\`), the same on every instance.`,
  );
}

/** The base URL webhook URLs are built from: origin plus any basePath, without a trailing slash. */
export function resolveBaseUrl(configured: string | undefined): string {
  const raw = configured ?? process.env.HOOKLINE_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    throw new ConfigError(`The base URL ${JSON.stringify(raw)} is not a URL; use e.g. "https://app.example.com".`);
  }
}
