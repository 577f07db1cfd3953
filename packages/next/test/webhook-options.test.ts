/**
 * The webhook route's configuration as withWorkflow carries it (environment variables in the
 * server, the embedded config in a standalone build), the caller's address under the proxy trust
 * model, and the request stamp's canonical URLs. End to end through next start, dev and
 * standalone: apps/example/test/webhook-hardening.test.ts and the example's other suites.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress } from "../src/client-address.js";
import { installRequestStamp, MALFORMED_TOKEN, peerHeader } from "../src/request-stamp.js";
import { applyStandaloneConfig } from "../src/standalone.js";
import { trustedProxyHops, webhookEnv } from "../src/webhook-options.js";
import { applyWorkflowConfig } from "../src/with-workflow.js";

describe("withWorkflow({ webhooks })", () => {
  it("becomes the variables the runtime reads, embedded in the config for a standalone server", () => {
    const webhooks = {
      rateLimit: { burst: 5, perSecond: 0.5 },
      trustProxyHops: 1,
      bodyTimeout: "3s",
      bodyIdleTimeout: 2500,
      responseTimeout: "2m",
    };
    const expected = {
      HOOKLINE_WEBHOOK_RATE_LIMIT: "5,0.5",
      HOOKLINE_TRUST_PROXY_HOPS: "1",
      HOOKLINE_WEBHOOK_BODY_TIMEOUT_MS: "3000",
      HOOKLINE_WEBHOOK_BODY_IDLE_TIMEOUT_MS: "2500",
      HOOKLINE_WEBHOOK_RESPONSE_TIMEOUT_MS: "120000",
    };
    expect(webhookEnv(webhooks)).toEqual(expected);
    expect(webhookEnv({ rateLimit: false })).toEqual({ HOOKLINE_WEBHOOK_RATE_LIMIT: "off" });
    const config = applyWorkflowConfig(
      { env: { MINE: "1" } },
      { appDir: "/app", loader: "/loader.cjs", transform: "t", webhooks },
    );
    expect(config.env).toEqual({ MINE: "1", ...expected });

    const env: Record<string, string | undefined> = {
      __NEXT_PRIVATE_STANDALONE_CONFIG: JSON.stringify({ basePath: "", env: config.env }),
    };
    expect(applyStandaloneConfig(env)).toBe(true);
    expect(env).toMatchObject(expected);
  });

  it("names a bad value and how to fix it", () => {
    expect(() => webhookEnv({ rateLimit: { burst: 0, perSecond: 1 } })).toThrow(/rateLimit.*burst ≥ 1/);
    expect(() => webhookEnv({ trustProxyHops: -1 })).toThrow(/trustProxyHops.*whole number ≥ 0/);
    expect(() => webhookEnv({ bodyTimeout: "soon" })).toThrow(/bodyTimeout.*"soon" is not a duration/);
    expect(() => trustedProxyHops({ HOOKLINE_TRUST_PROXY_HOPS: "one" })).toThrow(/HOOKLINE_TRUST_PROXY_HOPS="one"/);
    expect(trustedProxyHops({})).toBe(0);
  });
});

describe("the caller's address", () => {
  it("is the socket's peer unless proxies are trusted, and never an entry a sender wrote", () => {
    expect(clientAddress("127.0.0.9", "127.0.0.5", 0)).toBe("127.0.0.9");
    expect(clientAddress("::ffff:127.0.0.9", null, 0)).toBe("127.0.0.9");
    // One trusted proxy (the peer) appended the address it received from: the last entry.
    expect(clientAddress("10.0.0.2", "203.0.113.1, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "203.0.113.1, 198.51.100.7:4431, 10.0.0.3", 2)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "[2001:db8::1]:443", 1)).toBe("2001:db8::1");
    // Fewer entries than declared proxies: the furthest known hop.
    expect(clientAddress("10.0.0.2", "", 3)).toBe("10.0.0.2");
    expect(clientAddress(undefined, "1.2.3.4", 0)).toBeUndefined();
  });
});

describe("the request stamp", () => {
  let server: Server;
  let port: number;
  const seen: Array<{ url: string; peer: string | undefined; headers: Record<string, unknown> }> = [];

  beforeAll(async () => {
    installRequestStamp();
    server = createServer((req, res) => {
      seen.push({
        url: req.url ?? "",
        peer: req.headers[peerHeader()!] as string | undefined,
        headers: { ...req.headers },
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<(typeof seen)[number]>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, headers, localAddress: "127.0.0.7" }, (res) => {
        res.resume();
        res.on("end", () => resolve(seen.at(-1)!));
      });
      req.on("error", reject);
      req.end();
    });

  it("stamps a webhook request with its socket's peer under a name no sender knows, whatever the sender wrote", async () => {
    const header = peerHeader()!;
    expect(header).toMatch(/^x-hookline-peer-[0-9a-f]{24}$/);
    const request = await get("/.well-known/workflow/v1/webhook/abcdefghijklmnop", { "x-forwarded-for": "1.2.3.4" });
    expect(request.peer).toBe("127.0.0.7");
    // Other routes of the app are left as they came.
    expect((await get("/api/other")).peer).toBeUndefined();
  });

  it("makes a trailing slash match the app's setting and turns a malformed token into one that never matches", async () => {
    process.env.HOOKLINE_NEXT_TRAILING_SLASH = "0";
    expect((await get("/.well-known/workflow/v1/webhook/abcdefghijklmnop/?a=1")).url).toBe(
      "/.well-known/workflow/v1/webhook/abcdefghijklmnop?a=1",
    );
    process.env.HOOKLINE_NEXT_TRAILING_SLASH = "1";
    expect((await get("/.well-known/workflow/v1/webhook/abcdefghijklmnop")).url).toBe(
      "/.well-known/workflow/v1/webhook/abcdefghijklmnop/",
    );
    delete process.env.HOOKLINE_NEXT_TRAILING_SLASH;
    for (const odd of ["%", "%25", "a%2Fb", "a/b", "a b".replace(" ", "%20"), ""]) {
      expect((await get(`/.well-known/workflow/v1/webhook/${odd}`)).url).toBe(
        `/.well-known/workflow/v1/webhook/${MALFORMED_TOKEN}`,
      );
    }
    expect((await get("/checkout/")).url).toBe("/checkout/");
  });
});
