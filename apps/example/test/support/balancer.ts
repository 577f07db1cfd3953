/**
 * A round-robin load balancer in front of several `next start` instances, as a deployment has:
 * HOOKLINE_BASE_URL points at it, so the outside services (the fake payment provider and vendor)
 * and their webhook calls land on any instance. A request an instance refuses to connect
 * (it is dead) goes to the next one. Like a real proxy it appends the address it received the
 * request from to X-Forwarded-For (one trusted hop: HOOKLINE_TRUST_PROXY_HOPS=1).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "./next-server";

export interface Balancer {
  url: string;
  /** Requests each backend answered, by backend URL. */
  served: Map<string, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
]);

export async function startBalancer(backends: () => string[]): Promise<Balancer> {
  let next = 0;
  const served = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const list = backends();
    const first = next++;
    for (let i = 0; i < list.length; i++) {
      const backend = list[(first + i) % list.length]!;
      const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
      const headers = { ...req.headers, "x-forwarded-for": forwardedFor };
      const answered = await forward(backend, req.method ?? "GET", req.url ?? "/", headers, body, res);
      if (answered) {
        served.set(backend, (served.get(backend) ?? 0) + 1);
        return;
      }
    }
    res.writeHead(502).end("no instance answered\n");
  });
  const listenOn = await freePort();
  await new Promise<void>((resolve) => server.listen(listenOn, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** False if the backend could not be reached (nothing was sent back to the client). */
function forward(
  backend: string,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  res: ServerResponse,
): Promise<boolean> {
  const target = new URL(path, backend);
  const outgoing: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) outgoing[name] = value;
  outgoing.host = target.host;
  outgoing["content-length"] = String(body.length);
  return new Promise((resolve) => {
    const req = httpRequest(target, { method, headers: outgoing, agent: false }, (upstream) => {
      const answer: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers))
        if (value !== undefined && !HOP_BY_HOP.has(name)) answer[name] = value;
      res.writeHead(upstream.statusCode ?? 502, answer);
      upstream.pipe(res);
      upstream.on("error", () => res.destroy());
      resolve(true);
    });
    req.on("error", () => {
      if (res.headersSent) res.destroy();
      else resolve(false);
    });
    req.end(body);
  });
}
