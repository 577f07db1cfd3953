/**
 * withWorkflow's `webhooks` options: the public webhook route's limits and the proxies to trust.
 * They reach the runtime as the environment variables it reads (HOOKLINE_WEBHOOK_*,
 * HOOKLINE_TRUST_PROXY_HOPS), set in the `next start` / `next dev` process when next.config loads,
 * and embedded in the config a standalone server.js hands to Next (see standalone.ts). Set in
 * code, they override the variables; otherwise the variables apply as set.
 */
import { ConfigError } from "@hookline/core";

export interface WebhookOptions {
  /**
   * Requests per caller address (an IPv6 caller: its /64) to the public webhook route: bursts of
   * `burst`, then `perSecond`; `false` turns it off. Default { burst: 120, perSecond: 20 }.
   */
  rateLimit?: { burst: number; perSecond: number } | false;
  /**
   * How many proxies in front of the app append to X-Forwarded-For and can be trusted: the
   * caller is the address that many hops back. Default 0: the socket's peer, and X-Forwarded-For
   * (which any sender can write) is ignored.
   */
  trustProxyHops?: number;
  /** A body not fully received this long after reading began gets 408 (a drip-fed body). Default "30s". */
  bodyTimeout?: string | number;
  /** A body that stalls this long between chunks gets 408. Default "10s". */
  bodyIdleTimeout?: string | number;
  /** How long a caller of a `respondWith: "manual"` webhook waits by default before 504. Default "30s". */
  responseTimeout?: string | number;
}

export const TRUST_PROXY_HOPS = "HOOKLINE_TRUST_PROXY_HOPS";
export const WEBHOOK_ENV_NAMES = [
  "HOOKLINE_WEBHOOK_RATE_LIMIT",
  "HOOKLINE_WEBHOOK_BODY_TIMEOUT_MS",
  "HOOKLINE_WEBHOOK_BODY_IDLE_TIMEOUT_MS",
  "HOOKLINE_WEBHOOK_RESPONSE_TIMEOUT_MS",
  TRUST_PROXY_HOPS,
] as const;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

function milliseconds(value: string | number, name: string): string {
  const match = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value) : null;
  const ms = typeof value === "number" ? value : match ? Number(match[1]) * UNITS[match[2]!]! : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1) {
    throw new ConfigError(
      `withWorkflow({ webhooks: { ${name} } }): ${JSON.stringify(value)} is not a duration: use milliseconds or e.g. "30s", "2m".`,
    );
  }
  return String(Math.round(ms));
}

/** The environment variables that carry `options`; throws a ConfigError naming a bad value. */
export function webhookEnv(options: WebhookOptions | undefined): Record<string, string> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null)
    throw new ConfigError("withWorkflow({ webhooks }): webhooks must be an object.");
  const env: Record<string, string> = {};
  const { rateLimit, trustProxyHops, bodyTimeout, bodyIdleTimeout, responseTimeout } = options;
  if (rateLimit === false) env.HOOKLINE_WEBHOOK_RATE_LIMIT = "off";
  else if (rateLimit !== undefined) {
    const { burst, perSecond } = rateLimit ?? {};
    if (!Number.isInteger(burst) || burst < 1 || typeof perSecond !== "number" || !(perSecond > 0)) {
      throw new ConfigError(
        `withWorkflow({ webhooks: { rateLimit } }): use { burst, perSecond } with a whole burst ≥ 1 and a rate > 0 (e.g. { burst: 120, perSecond: 20 }), or false; got ${JSON.stringify(rateLimit)}.`,
      );
    }
    env.HOOKLINE_WEBHOOK_RATE_LIMIT = `${burst},${perSecond}`;
  }
  if (trustProxyHops !== undefined) {
    if (!Number.isInteger(trustProxyHops) || trustProxyHops < 0) {
      throw new ConfigError(
        `withWorkflow({ webhooks: { trustProxyHops } }): use a whole number ≥ 0, got ${JSON.stringify(trustProxyHops)}.`,
      );
    }
    env[TRUST_PROXY_HOPS] = String(trustProxyHops);
  }
  if (bodyTimeout !== undefined) env.HOOKLINE_WEBHOOK_BODY_TIMEOUT_MS = milliseconds(bodyTimeout, "bodyTimeout");
  if (bodyIdleTimeout !== undefined)
    env.HOOKLINE_WEBHOOK_BODY_IDLE_TIMEOUT_MS = milliseconds(bodyIdleTimeout, "bodyIdleTimeout");
  if (responseTimeout !== undefined)
    env.HOOKLINE_WEBHOOK_RESPONSE_TIMEOUT_MS = milliseconds(responseTimeout, "responseTimeout");
  return env;
}

/** HOOKLINE_TRUST_PROXY_HOPS as a number (0 when unset); a ConfigError naming a bad value. */
export function trustedProxyHops(env: Record<string, string | undefined> = process.env): number {
  const text = env[TRUST_PROXY_HOPS]?.trim();
  if (!text) return 0;
  const hops = Number(text);
  if (!Number.isInteger(hops) || hops < 0) {
    throw new ConfigError(
      `${TRUST_PROXY_HOPS}=${JSON.stringify(text)} is not a number of proxies: use a whole number ≥ 0 (0 when nothing sits in front of the app).`,
    );
  }
  return hops;
}
