/**
 * Signature checks run on a webhook request before anything is recorded. The workflow names
 * a scheme and the environment variable holding the secret (secrets never enter the log);
 * each preset follows its provider's documentation.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { VerifyOptions } from "../shared/verify-options.js";

export type VerifyResult = { ok: true } | { ok: false; reason: string; misconfigured?: boolean };

const DEFAULT_TOLERANCE_SECONDS = 300;

export function verifySignature(
  options: VerifyOptions,
  request: Request,
  body: Uint8Array | null,
  env: NodeJS.ProcessEnv = process.env,
  now = Date.now(),
): VerifyResult {
  const secret = env[options.secretEnv];
  if (!secret) {
    return {
      ok: false,
      reason: `The webhook's verify.secretEnv names ${options.secretEnv}, which is not set.`,
      misconfigured: true,
    };
  }
  const raw = Buffer.from(body ?? new Uint8Array());
  const header = (name: string) => request.headers.get(name);
  switch (options.scheme) {
    case "standard-webhooks":
      return standardWebhooks(secret, raw, header, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, now);
    case "stripe":
      return stripe(
        secret,
        raw,
        header("stripe-signature"),
        options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
        now,
      );
    case "github": {
      const given = header("x-hub-signature-256");
      if (!given?.startsWith("sha256=")) return fail("X-Hub-Signature-256 is missing or not sha256=<hex>.");
      return matches(given.slice(7), hmac("sha256", secret, raw).toString("hex"))
        ? { ok: true }
        : fail("X-Hub-Signature-256 does not match.");
    }
    case "hmac": {
      let given = header(options.header);
      if (!given) return fail(`${options.header} is missing.`);
      if (options.prefix) {
        if (!given.startsWith(options.prefix)) return fail(`${options.header} does not start with ${options.prefix}.`);
        given = given.slice(options.prefix.length);
      }
      const expected = hmac(options.algorithm ?? "sha256", secret, raw).toString(options.encoding ?? "hex");
      return matches(given, expected) ? { ok: true } : fail(`${options.header} does not match.`);
    }
  }
}

/** https://www.standardwebhooks.com: HMAC-SHA256 over "id.timestamp.body", secret "whsec_<base64>". */
function standardWebhooks(
  secret: string,
  raw: Buffer,
  header: (name: string) => string | null,
  tolerance: number,
  now: number,
): VerifyResult {
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signatures = header("webhook-signature");
  if (!id || !timestamp || !signatures)
    return fail("webhook-id, webhook-timestamp and webhook-signature are required.");
  const stale = checkTimestamp(timestamp, tolerance, now);
  if (stale) return stale;
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
  const expected = hmac("sha256", key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), raw])).toString("base64");
  const ok = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",", 2);
    return version === "v1" && signature !== undefined && matches(signature, expected);
  });
  return ok ? { ok: true } : fail("No v1 signature in webhook-signature matches.");
}

/** https://docs.stripe.com/webhooks#verify-manually: "t=<ts>,v1=<hex>", HMAC-SHA256 over "t.body". */
function stripe(secret: string, raw: Buffer, header: string | null, tolerance: number, now: number): VerifyResult {
  if (!header) return fail("Stripe-Signature is missing.");
  const parts = header.split(",").map((p) => p.split("=", 2) as [string, string | undefined]);
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!timestamp || signatures.length === 0) return fail("Stripe-Signature needs t= and v1=.");
  const stale = checkTimestamp(timestamp, tolerance, now);
  if (stale) return stale;
  const expected = hmac("sha256", secret, Buffer.concat([Buffer.from(`${timestamp}.`), raw])).toString("hex");
  return signatures.some((s) => matches(s, expected))
    ? { ok: true }
    : fail("No v1 signature in Stripe-Signature matches.");
}

function checkTimestamp(value: string, toleranceSeconds: number, now: number): VerifyResult | null {
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) return fail("The signature timestamp is not a number of seconds.");
  if (Math.abs(now / 1000 - seconds) > toleranceSeconds) {
    return fail(
      `The signature timestamp is more than ${toleranceSeconds} s away from now (a replayed or delayed delivery).`,
    );
  }
  return null;
}

function hmac(algorithm: string, key: string | Buffer, data: Buffer): Buffer {
  return createHmac(algorithm, key).update(data).digest();
}

function matches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}
