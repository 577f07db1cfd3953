/**
 * What the webhook route and the inspector's login need from the HTTP server that Next.js does not give a route handler,
 * taken from Node's own hook on every incoming request (diagnostics_channel
 * "http.server.request.start", published before the server's 'request' event, so before Next
 * sees the request):
 *
 * - The socket's peer address (for webhook requests and the inspector's). Next 16 sets X-Forwarded-For from the socket only when the
 *   request has none (`req.headers['x-forwarded-for'] ??= socket.remoteAddress` in
 *   base-server.js), so a sender that writes its own X-Forwarded-For decides what a route sees.
 *   The peer goes in a header whose name is random per process (no sender can forge it) and the
 *   route removes it before the request goes anywhere.
 * - A canonical URL for webhook requests only: a trailing slash is made to match the app's
 *   trailingSlash setting (Next would answer 308, and senders do not follow redirects), and a
 *   token that is not a well-formed token (`%`, which Next fails to decode with a 500, or any
 *   other stray character) is replaced by one that can never match, so the route answers 404.
 *   The rest of the app's URLs are left exactly as they came.
 */
import { randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { ROUTE_PREFIX } from "./routes.js";
import { ENV } from "./server.js";

const SLOT = Symbol.for("hookline.next.request-stamp");
const WEBHOOK_PREFIX = `${ROUTE_PREFIX}/webhook/`;
const INSPECT_PREFIX = `${ROUTE_PREFIX}/inspect/`;
const TOKEN = /^[A-Za-z0-9_-]+$/;
/** Never a webhook token (too short, see the endpoint's check): the route answers 404. */
export const MALFORMED_TOKEN = "_malformed_";

type Slot = { [SLOT]?: { header: string } };

/** The peer header's name in this process, once the stamp is installed. */
export function peerHeader(): string | undefined {
  return (globalThis as Slot)[SLOT]?.header;
}

/** Subscribes once per process (every copy of this module shares the subscription). */
export function installRequestStamp(): void {
  const slot = globalThis as Slot;
  if (slot[SLOT]) return;
  const header = `x-hookline-peer-${randomBytes(12).toString("hex")}`;
  slot[SLOT] = { header };
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    stamp(request, socket, header);
  });
}

function stamp(request: IncomingMessage, socket: Socket, header: string): void {
  const url = request.url ?? "";
  const basePath = process.env[ENV.basePath] ?? "";
  const prefix = basePath + WEBHOOK_PREFIX;
  if (url.startsWith(basePath + INSPECT_PREFIX)) {
    // The inspector's login limits wrong tokens per address (inspector/login-limit.ts).
    if (socket?.remoteAddress) request.headers[header] = socket.remoteAddress;
    return;
  }
  if (!url.startsWith(prefix)) return;
  const queryAt = url.indexOf("?");
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt);
  const rest = path.slice(prefix.length);
  const token = rest.endsWith("/") ? rest.slice(0, -1) : rest;
  const slash = process.env[ENV.trailingSlash] === "1" ? "/" : "";
  request.url = `${prefix}${TOKEN.test(token) ? token : MALFORMED_TOKEN}${slash}${query}`;
  const address = socket?.remoteAddress;
  if (address) request.headers[header] = address;
}
