/**
 * The inspector on a plain Node.js HTTP server, at the path the app serves it on (the server's
 * root redirects there): what `hookline inspect --web` serves without the app. Each request becomes a web `Request` for the same handler the
 * Next route uses (pages, actions, live updates), whose `Response` is streamed back; a client that
 * goes away aborts its request, which ends a live stream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { ROUTE_PREFIX } from "../routes.js";
import { createInspector, type InspectorOptions } from "./handler.js";
import type { Access } from "./session.js";

export interface InspectorServerOptions {
  runtime: InspectorOptions["runtime"];
  secrets: InspectorOptions["secrets"];
  access: Access;
  /** Default 127.0.0.1: the inspector acts on runs, so it listens on this machine only unless told otherwise. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

const BASE = `${ROUTE_PREFIX}/inspect`;

export interface InspectorServer {
  /** The inspector's address (its runs page). */
  url: string;
  close(): Promise<void>;
}

export async function serveInspector(options: InspectorServerOptions): Promise<InspectorServer> {
  const inspector = createInspector({
    runtime: options.runtime,
    secrets: options.secrets,
    base: () => BASE,
    access: () => options.access,
    clientAddress: (request) => request.headers.get("x-hookline-peer") ?? undefined,
  });
  const server = createServer((incoming, outgoing) => {
    answer(inspector, incoming, outgoing).catch((error: unknown) => {
      console.error("[hookline] the inspector failed:", error);
      if (!outgoing.headersSent) outgoing.writeHead(500, { "content-type": "text/plain" });
      outgoing.end("The inspector could not answer; see its terminal.");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${BASE}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(
  inspector: ReturnType<typeof createInspector>,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "localhost"}`);
  const inside = url.pathname === BASE || url.pathname.startsWith(`${BASE}/`);
  if (!inside) {
    outgoing.writeHead(
      url.pathname === "/" ? 302 : 404,
      url.pathname === "/" ? { location: BASE } : { "content-type": "text/plain" },
    );
    outgoing.end(url.pathname === "/" ? undefined : "Not Found");
    return;
  }
  const abort = new AbortController();
  outgoing.on("close", () => abort.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  // No proxy stands in front of this server: only the socket's own address and host count.
  headers.delete("x-forwarded-host");
  headers.delete("x-forwarded-proto");
  headers.delete("x-forwarded-for");
  headers.set("x-hookline-peer", incoming.socket.remoteAddress ?? "unknown");
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  const request = new Request(url, {
    method: incoming.method,
    headers,
    signal: abort.signal,
    ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
  const path = url.pathname.slice(BASE.length).split("/").filter(Boolean);
  const response = await inspector(request, path);
  const head: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") head[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) head["set-cookie"] = cookies;
  outgoing.writeHead(response.status, head);
  if (!response.body) {
    outgoing.end();
    return;
  }
  Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>)
    .on("error", () => outgoing.destroy())
    .pipe(outgoing);
}
