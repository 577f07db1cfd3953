/** The runtime's settings that come from the environment when not given: secrets, the base URL, the webhook route's limits. */
import { ConfigError } from "../shared/errors.js";
import type { World } from "../world/world.js";
import { DEFAULT_RATE_LIMIT, type RateLimit } from "./rate-limit.js";
import { DEFAULT_MAX_CHUNK_BYTES, type StreamLimits } from "./streams/stream-writer.js";

/** HOOKLINE_SECRET's secrets (comma-separated, current first), or null when it is not set. */
export function secretsFromEnv(): string[] | null {
  const value = process.env.HOOKLINE_SECRET;
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
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

/** The webhook route's limits as configured: in code (RuntimeOptions.webhooks), else the environment, else defaults. */
export interface WebhookSettings {
  rateLimit: RateLimit | false;
  bodyIdleTimeoutMs: number;
  bodyTimeoutMs: number;
  responseTimeoutMs: number;
}

export const WEBHOOK_ENV = {
  /** "off", or "<burst>,<per second>" (e.g. "120,20"). */
  rateLimit: "HOOKLINE_WEBHOOK_RATE_LIMIT",
  bodyTimeoutMs: "HOOKLINE_WEBHOOK_BODY_TIMEOUT_MS",
  bodyIdleTimeoutMs: "HOOKLINE_WEBHOOK_BODY_IDLE_TIMEOUT_MS",
  responseTimeoutMs: "HOOKLINE_WEBHOOK_RESPONSE_TIMEOUT_MS",
} as const;

export function resolveWebhookSettings(
  options: Partial<WebhookSettings> = {},
  env: Record<string, string | undefined> = process.env,
): WebhookSettings {
  return {
    rateLimit: options.rateLimit ?? rateLimitFromEnv(env) ?? DEFAULT_RATE_LIMIT,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? millisecondsFromEnv(env, WEBHOOK_ENV.bodyIdleTimeoutMs) ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? millisecondsFromEnv(env, WEBHOOK_ENV.bodyTimeoutMs) ?? 30_000,
    responseTimeoutMs: options.responseTimeoutMs ?? millisecondsFromEnv(env, WEBHOOK_ENV.responseTimeoutMs) ?? 30_000,
  };
}

/** The streams' limits: in code (RuntimeOptions.streams), else HOOKLINE_STREAM_MAX_CHUNK_BYTES, else 1 MiB. */
export function resolveStreamLimits(
  options: Partial<StreamLimits> = {},
  env: Record<string, string | undefined> = process.env,
): StreamLimits {
  const name = "HOOKLINE_STREAM_MAX_CHUNK_BYTES";
  const fromEnv = env[name]?.trim();
  const maxChunkBytes = options.maxChunkBytes ?? (fromEnv ? Number(fromEnv) : DEFAULT_MAX_CHUNK_BYTES);
  if (!Number.isSafeInteger(maxChunkBytes) || maxChunkBytes < 1) {
    const given =
      options.maxChunkBytes !== undefined
        ? `streams.maxChunkBytes ${String(options.maxChunkBytes)}`
        : `${name}=${JSON.stringify(fromEnv)}`;
    throw new ConfigError(`${given} is not a positive whole number of bytes, e.g. ${name}=1048576.`);
  }
  return { maxChunkBytes };
}

function rateLimitFromEnv(env: Record<string, string | undefined>): RateLimit | false | undefined {
  const name = WEBHOOK_ENV.rateLimit;
  const text = env[name]?.trim();
  if (!text) return undefined;
  if (text === "off") return false;
  const match = /^(\d+)\s*,\s*(\d+(?:\.\d+)?)$/.exec(text);
  const burst = Number(match?.[1]);
  const perSecond = Number(match?.[2]);
  if (!match || burst < 1 || perSecond <= 0) {
    throw new ConfigError(
      `${name}=${JSON.stringify(text)} is not a rate limit: use "<burst>,<requests per second>" (e.g. ${name}=120,20) or "off".`,
    );
  }
  return { burst, perSecond };
}

function millisecondsFromEnv(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(
      `${name}=${JSON.stringify(text)} is not a positive whole number of milliseconds, e.g. ${name}=30000.`,
    );
  }
  return value;
}
