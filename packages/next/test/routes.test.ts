/** The generated routes' handlers: what a runtime that cannot start answers, to the runtime and to the public. */
import { ConfigError } from "@hookline/core";
import { setRuntime, setRuntimeFactory } from "@hookline/core/runtime";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signInternalRequest } from "../src/internal-auth.js";
import { createRouteHandlers, InternalCallError } from "../src/server.js";

const SECRET = "s".repeat(40);
const handlers = createRouteHandlers({ deploymentSecrets: async () => [SECRET] });
const load = async () => ({ workflowIds: [] });
const REASON = "The PostgreSQL world cannot reach 10.0.0.9:5432 (ECONNREFUSED): is the server running?";

function signedBoot(): Request {
  const body = JSON.stringify({ reason: "boot" });
  return new Request("http://127.0.0.1/.well-known/workflow/v1/flow", {
    method: "POST",
    headers: signInternalRequest([SECRET], "flow", body),
    body,
  });
}

afterEach(() => {
  setRuntime(null);
  vi.restoreAllMocks();
});

describe("a runtime that cannot start because of its configuration", () => {
  it("answers the boot request 503 with the reason and code HOOKLINE_CONFIG, which callers read as a configuration error", async () => {
    setRuntimeFactory(() => {
      throw new ConfigError(REASON);
    });
    const response = await handlers.flowRoute(load)(signedBoot());
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: REASON, code: "HOOKLINE_CONFIG" });
    const error = new InternalCallError("http://x/flow", response.status, text);
    expect(error).toMatchObject({ configError: true, status: 503, reason: REASON });
  });

  it("answers other failures 500 without the configuration flag", async () => {
    setRuntimeFactory(() => {
      throw new Error("disk on fire");
    });
    const response = await handlers.flowRoute(load)(signedBoot());
    expect(response.status).toBe(500);
    const error = new InternalCallError("http://x/flow", response.status, await response.text());
    expect(error).toMatchObject({ configError: false, reason: "disk on fire" });
    expect(new InternalCallError("http://x/flow", 502, "<html>Bad gateway</html>")).toMatchObject({
      configError: false,
      reason: "<html>Bad gateway</html>",
    });
  });

  it("tells a webhook sender only to retry later, keeping the reason in the server's log", async () => {
    setRuntimeFactory(() => {
      throw new ConfigError(REASON);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await handlers.webhookRoute(load)(
      new Request("http://127.0.0.1/w", { method: "POST", body: "{}" }),
      {
        params: Promise.resolve({ token: "t".repeat(43) }),
      },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = await response.text();
    expect(body).not.toContain("10.0.0.9");
    expect(body).toMatch(/try again later/);
    expect(String(logged.mock.calls[0]?.[1])).toContain("10.0.0.9");
  });
});

describe("the health probe (?__health), as the Workflow SDK's", () => {
  it("answers 503 with the reason when the runtime cannot start, unsigned, on GET and POST; other GETs are 405, other unsigned POSTs 401", async () => {
    setRuntimeFactory(() => {
      throw new ConfigError(REASON);
    });
    for (const route of [handlers.flowRoute(load), handlers.stepRoute(load)]) {
      for (const method of ["GET", "POST"]) {
        const response = await route(new Request("http://127.0.0.1/.well-known/workflow/v1/flow?__health", { method }));
        expect(response.status).toBe(503);
        expect(((await response.json()) as { error: string }).error).toBe(REASON);
      }
      expect((await route(new Request("http://127.0.0.1/.well-known/workflow/v1/flow"))).status).toBe(405);
      expect(
        (await route(new Request("http://127.0.0.1/.well-known/workflow/v1/flow", { method: "POST", body: "{}" })))
          .status,
      ).toBe(401);
    }
  });
});
