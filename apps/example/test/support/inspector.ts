/** What the inspector's tests share: the app's secret and token, and requests as a logged-in browser makes them. */
import { createHmac } from "node:crypto";
import { expect } from "vitest";
import type { NextServer } from "./next-server";

export const SECRET = "inspector-test-secret-0123456789abcdef0123456789abcd";
export const TOKEN = "let-me-inspect-0123456789";
export const INSPECT = "/.well-known/workflow/v1/inspect";
/** A webhook's raw token, derived as the runtime derives it; the demo's webhook is its fifth operation (flaky, echoHtml, bigValue, hook, webhook). */
export const webhookTokenOf = (runId: string, operation = "o5") =>
  createHmac("sha256", SECRET).update(`webhook:${runId}:${operation}`).digest("base64url");

export async function startDemo(server: NextServer, body: Record<string, string>): Promise<string> {
  const response = await fetch(`${server.url}/api/inspector-demo`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { runId: string }).runId;
}

/** A GET of the inspector as a logged-in browser would make it. */
export async function page(
  server: NextServer,
  path: string,
  cookie?: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${server.url}${INSPECT}${path}`, {
    headers: cookie ? { cookie } : {},
    redirect: "manual",
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export function csrfOf(html: string): string {
  const match = html.match(/name="csrf" value="([^"]+)"/);
  if (!match) throw new Error("no CSRF token in the page");
  return match[1]!;
}

export async function post(
  server: NextServer,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(`${server.url}${INSPECT}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export async function loginCookie(server: NextServer): Promise<string> {
  const login = await post(server, "/login", { token: TOKEN });
  return (login.headers.get("set-cookie") ?? "").split(";")[0]!;
}
