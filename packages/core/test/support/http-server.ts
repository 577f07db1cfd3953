/**
 * A real HTTP server on 127.0.0.1 in front of runtime.handleWebhook, as the Next.js route is,
 * so webhook tests go through sockets: bodies stream, clients stall, connections race.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { Runtime } from "../../src/runtime.js";

const PREFIX = "/.well-known/workflow/v1/webhook/";

export interface WebhookServer {
  url(token: string): string;
  close(): Promise<void>;
}

export async function serveWebhooks(runtime: Runtime): Promise<WebhookServer> {
  const server: Server = createServer(async (req, res) => {
    try {
      const origin = `http://${req.headers.host}`;
      const token = decodeURIComponent(new URL(req.url ?? "/", origin).pathname.slice(PREFIX.length));
      const response = await runtime.handleWebhook(token, toRequest(req, origin), {
        clientAddress: req.headers["x-test-client"]?.toString() ?? req.socket.remoteAddress,
      });
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (token) => `http://127.0.0.1:${port}${PREFIX}${token}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}
