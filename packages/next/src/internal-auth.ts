/**
 * Signatures on the runtime's requests to its own internal endpoints (flow, step): an HMAC
 * from the deployment secret over the endpoint, a timestamp and the body's SHA-256. Anyone
 * without the secret gets 401; a captured request stops working after MAX_SKEW_MS.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { TokenIssuer } from "@hookline/core/runtime";

export const SIGNATURE_HEADER = "x-hookline-signature";
export const TIMESTAMP_HEADER = "x-hookline-timestamp";
export const MAX_SKEW_MS = 5 * 60_000;

export type InternalEndpoint = "flow" | "step";

function payload(endpoint: InternalEndpoint, timestamp: string, body: string): string {
  return `${endpoint}\n${timestamp}\n${createHash("sha256").update(body).digest("hex")}`;
}

/** Headers that make `body`, POSTed to `endpoint`, acceptable to its route. */
export function signInternalRequest(
  secrets: readonly string[],
  endpoint: InternalEndpoint,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = String(now);
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: new TokenIssuer(secrets).sign(payload(endpoint, timestamp, body)),
  };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Checks a request's signature; any configured secret is accepted, so rotation never locks the runtime out. */
export function verifyInternalRequest(
  secrets: readonly string[],
  endpoint: InternalEndpoint,
  headers: Headers,
  body: string,
  now = Date.now(),
): Verdict {
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (!timestamp || !signature) return { ok: false, reason: "The request is not signed." };
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) {
    return { ok: false, reason: "The request's timestamp is missing or too far from now." };
  }
  const given = Buffer.from(signature);
  for (const secret of secrets) {
    const expected = Buffer.from(new TokenIssuer([secret]).sign(payload(endpoint, timestamp, body)));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true };
  }
  return { ok: false, reason: "The request's signature does not match." };
}
