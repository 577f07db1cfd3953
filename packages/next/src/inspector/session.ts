/**
 * Who may use the inspector. `next dev` (HOOKLINE_NEXT_DEV, set by withWorkflow): anyone who reaches the dev server. Otherwise only with
 * HOOKLINE_INSPECTOR_TOKEN set (else every inspector URL is a 404): a login form takes the
 * token (compared in constant time) and sets an httpOnly, SameSite=Strict cookie signed with
 * the deployment secret. Every POST also carries a CSRF token derived from the session and must
 * come from the inspector's own origin.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const COOKIE = "hookline_inspector";
const SESSION_MS = 12 * 60 * 60 * 1000;

type Env = Record<string, string | undefined>;

export type Access = { kind: "open" } | { kind: "hidden" } | { kind: "token"; token: string };

export function accessFromEnv(env: Env = process.env): Access {
  if (env.HOOKLINE_NEXT_DEV === "1") return { kind: "open" };
  const token = env.HOOKLINE_INSPECTOR_TOKEN;
  return token ? { kind: "token", token } : { kind: "hidden" };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();
const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("base64url");

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

function sameText(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The cookie value for a new session; it names the token's hash, so changing the token ends every session. */
export function newSession(secret: string, token: string, now = Date.now()): string {
  const expires = now + SESSION_MS;
  return `${expires}.${hmac(secret, `inspector-session\n${expires}\n${sha256(token).toString("hex")}`)}`;
}

export function validSession(value: string | undefined, secrets: string[], token: string, now = Date.now()): boolean {
  if (!value) return false;
  const [expires, signature] = value.split(".");
  if (!expires || !signature || !/^\d+$/.test(expires) || Number(expires) < now) return false;
  const payload = `inspector-session\n${expires}\n${sha256(token).toString("hex")}`;
  return secrets.some((secret) => sameText(hmac(secret, payload), signature));
}

/** The token a form must carry: bound to the session (or to the dev server's secret when open). */
export function csrfToken(secret: string, session: string | undefined): string {
  return hmac(secret, `inspector-csrf\n${session ?? "open"}`);
}

export function validCsrf(given: string | null, secrets: string[], session: string | undefined): boolean {
  if (!given) return false;
  return secrets.some((secret) => sameText(csrfToken(secret, session), given));
}

/** A POST must come from a page of this same host (Origin, else Referer); cross-site forms are refused. */
export function sameOrigin(request: Request): boolean {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const source = request.headers.get("origin") ?? request.headers.get("referer");
  if (!host || !source || source === "null") return false;
  try {
    return new URL(source).host === host;
  } catch {
    return false;
  }
}

export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

export function sessionCookie(value: string, path: string, secure: boolean): string {
  return `${COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? "; Secure" : ""}`;
}

export function clearedCookie(path: string): string {
  return `${COOKIE}=; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=0`;
}
