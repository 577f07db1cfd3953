/**
 * The Next.js server side of Hookline: the handlers behind the generated routes, and what the
 * runtime needs to find the app's code. Workflow bundle and step registrations live in the
 * generated registry module, which Next loads lazily with a route; so when the runtime must
 * drive a run and nothing is registered yet, it makes a signed request to its own flow route.
 *
 * withWorkflow describes the server to this module through environment variables, set in the
 * `next dev` / `next start` process when next.config loads (before any route runs).
 */
import { ConfigError } from "@hookline/core";
import {
  checkHealth,
  getRuntime,
  type HealthCheckEndpoint,
  type RuntimeOptions,
  registries,
} from "@hookline/core/runtime";
import { clientAddress } from "./client-address.js";
import { createInspector } from "./inspector/handler.js";
import { type InternalEndpoint, signInternalRequest, verifyInternalRequest } from "./internal-auth.js";
import { installRequestStamp, peerHeader } from "./request-stamp.js";
import { ROUTE_PREFIX } from "./routes.js";
import { trustedProxyHops } from "./webhook-options.js";

type Env = Record<string, string | undefined>;

export const ENV = {
  /** "1" in a Next.js server whose config uses withWorkflow. */
  server: "HOOKLINE_NEXT_SERVER",
  /** "1" in `next dev` (withWorkflow saw the development-server phase). */
  dev: "HOOKLINE_NEXT_DEV",
  basePath: "HOOKLINE_NEXT_BASE_PATH",
  trailingSlash: "HOOKLINE_NEXT_TRAILING_SLASH",
} as const;

export interface Integration {
  /** The deployment secrets, current first: HOOKLINE_SECRET, else the world's own (local). */
  deploymentSecrets(): Promise<string[]>;
}

export interface RegistryModule {
  workflowIds?: readonly string[];
}
export type Load = () => Promise<RegistryModule>;

/** The origin this process serves on, for requests to itself (never the public URL: another instance may answer it). */
export function localOrigin(env: Env = process.env): string {
  return env.__NEXT_PRIVATE_ORIGIN || `http://localhost:${env.PORT || 3000}`;
}

/** Where outside services reach this app: HOOKLINE_BASE_URL, else the local origin; plus the basePath. */
export function publicBaseUrl(env: Env = process.env): string {
  const basePath = env[ENV.basePath] ?? "";
  const configured = env.HOOKLINE_BASE_URL?.replace(/\/+$/, "");
  if (configured) return !basePath || configured.endsWith(basePath) ? configured : configured + basePath;
  return localOrigin(env) + basePath;
}

export function internalUrl(endpoint: InternalEndpoint, env: Env = process.env): string {
  const slash = env[ENV.trailingSlash] === "1" ? "/" : "";
  return `${localOrigin(env)}${env[ENV.basePath] ?? ""}${ROUTE_PREFIX}/${endpoint}${slash}`;
}

/** POSTs a signed request to one of this app's internal routes and returns its JSON answer. */
export async function callInternal(
  integration: Integration,
  endpoint: InternalEndpoint,
  message: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<unknown> {
  const body = JSON.stringify(message);
  const headers = {
    "content-type": "application/json",
    ...signInternalRequest(await integration.deploymentSecrets(), endpoint, body),
  };
  const url = internalUrl(endpoint);
  const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (!response.ok) throw new InternalCallError(url, response.status, text);
  return text ? JSON.parse(text) : null;
}

/** An internal route's failure; `configError` when the runtime could not start because of its configuration. */
export class InternalCallError extends Error {
  override name = "InternalCallError";
  readonly status: number;
  readonly configError: boolean;
  readonly reason: string;
  constructor(url: string, status: number, text: string) {
    const answer = parseAnswer(text);
    const reason = answer.error ?? text.slice(0, 500);
    super(`POST ${url} answered ${status}: ${reason}`);
    this.status = status;
    this.configError = answer.code === "HOOKLINE_CONFIG";
    this.reason = reason;
  }
}

function parseAnswer(text: string): { error?: string; code?: string } {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as { error?: string; code?: string }) : {};
  } catch {
    return {};
  }
}

/** Runtime options for a Next.js server (none elsewhere: scripts and tests register their code directly). */
export function nextRuntimeOptions(integration: Integration): Partial<RuntimeOptions> {
  if (process.env[ENV.server] !== "1") return {};
  let loading: Promise<unknown> | null = null;
  return {
    baseUrl: publicBaseUrl(),
    // With Next's trailingSlash, a URL without one is answered by a redirect most webhook senders don't follow.
    trailingSlash: process.env[ENV.trailingSlash] === "1",
    async ensureCode() {
      if (registries().bundle) return;
      loading ??= callInternal(integration, "flow", { reason: "load-code" }).finally(() => {
        loading = null;
      });
      await loading;
      if (!registries().bundle) {
        // Throwing keeps the queue message, so the run is driven again later rather than failed.
        throw new ConfigError(
          "Hookline's flow route answered but registered no workflow bundle in this process. Is withWorkflow() in next.config, and was the app built with it?",
        );
      }
    },
  };
}

const MAX_INTERNAL_BODY = 64 * 1024;

async function readBounded(request: Request): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_INTERNAL_BODY) return null;
  const text = await request.text();
  return text.length > MAX_INTERNAL_BODY ? null : text;
}

function failure(status: number, error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  // A runtime that cannot start because of its configuration (world URL, permissions, secret) says so.
  if (ConfigError.is(error)) return Response.json({ error: message, code: "HOOKLINE_CONFIG" }, { status: 503 });
  return Response.json({ error: message }, { status });
}

type Verified = { ok: true; body: string } | { ok: false; response: Response };

async function verify(integration: Integration, endpoint: InternalEndpoint, request: Request): Promise<Verified> {
  let secrets: string[];
  try {
    secrets = await integration.deploymentSecrets();
  } catch (error) {
    return { ok: false, response: failure(500, error) };
  }
  const body = await readBounded(request);
  const verdict =
    body === null
      ? { ok: false as const, reason: "The request is too large." }
      : verifyInternalRequest(secrets, endpoint, request.headers, body);
  if (!verdict.ok) return { ok: false, response: Response.json({ error: verdict.reason }, { status: 401 }) };
  return { ok: true, body: body! };
}

/**
 * `GET|POST <route>?__health` on the flow and step routes (the Workflow SDK's probe): loads the
 * app's code, starts the runtime and reads the world, then answers 200 "OK", or 503 with what
 * failed. Unsigned (a probe has no secret) and says nothing else; any other GET is 405.
 */
async function answerHealth(endpoint: HealthCheckEndpoint, load: Load, request: Request): Promise<Response | null> {
  if (!new URL(request.url).searchParams.has("__health")) {
    return request.method === "GET" ? new Response(null, { status: 405, headers: { allow: "POST" } }) : null;
  }
  try {
    await load();
  } catch (error) {
    return failure(503, error);
  }
  const result = await checkHealth(getRuntime, endpoint === "step" ? "step" : "workflow", 10_000);
  if (!result.healthy) return Response.json({ error: result.error }, { status: 503 });
  return new Response("OK", { status: 200, headers: { "content-type": "text/plain", "cache-control": "no-store" } });
}

export interface WebhookContext {
  params: Promise<{ token: string }>;
}

export interface InspectContext {
  params: Promise<{ path?: string[] }>;
}

export function createRouteHandlers(integration: Integration) {
  return {
    /** Internal: loads the app's workflows and steps, starts the runtime (which recovers pending runs). */
    flowRoute(load: Load) {
      return async (request: Request): Promise<Response> => {
        const health = await answerHealth("workflow", load, request);
        if (health) return health;
        const checked = await verify(integration, "flow", request);
        if (!checked.ok) return checked.response;
        try {
          const registry = await load();
          await getRuntime();
          return Response.json({ workflows: registry.workflowIds ?? [], steps: registries().steps.size });
        } catch (error) {
          return failure(500, error);
        }
      };
    },

    /** Internal: loads the app's steps; answers which of the asked step ids are registered. */
    stepRoute(load: Load) {
      return async (request: Request): Promise<Response> => {
        const health = await answerHealth("step", load, request);
        if (health) return health;
        const checked = await verify(integration, "step", request);
        if (!checked.ok) return checked.response;
        try {
          await load();
          const asked = (JSON.parse(checked.body || "{}") as { stepIds?: unknown }).stepIds;
          const steps = registries().steps;
          const ids = Array.isArray(asked)
            ? asked.filter((id): id is string => typeof id === "string")
            : [...steps.keys()];
          return Response.json({
            registered: ids.filter((id) => steps.has(id)),
            missing: ids.filter((id) => !steps.has(id)),
          });
        } catch (error) {
          return failure(500, error);
        }
      };
    },

    /** Public: the webhook endpoint; every answer is the runtime's (see DESIGN §2). */
    webhookRoute(load: Load) {
      // Normally installed with the server (withWorkflow, instrumentation); this covers any other start.
      installRequestStamp();
      return async (request: Request, context: WebhookContext): Promise<Response> => {
        try {
          const { token } = await context.params;
          const header = peerHeader();
          const peer = header ? request.headers.get(header) : null;
          // The stamp is the server's, not the sender's: it is never recorded.
          if (header) request.headers.delete(header);
          const address = clientAddress(peer, request.headers.get("x-forwarded-for"), trustedProxyHops());
          await load();
          const runtime = await getRuntime();
          return await runtime.handleWebhook(token, request, address === undefined ? {} : { clientAddress: address });
        } catch (error) {
          // The sender learns only to retry; what went wrong (a database address, say) stays in the server's log.
          console.error("[hookline] the webhook route failed:", error);
          return new Response("The webhook could not be handled right now; try again later.", {
            status: 503,
            headers: { "retry-after": "5" },
          });
        }
      };
    },

    /** The inspector (see inspector/handler.ts): open under `next dev`, else 404 unless HOOKLINE_INSPECTOR_TOKEN is set. */
    inspectRoute(load: Load) {
      installRequestStamp();
      const inspector = createInspector({
        runtime: async () => {
          await load();
          return getRuntime();
        },
        secrets: () => integration.deploymentSecrets(),
        base: () => `${process.env[ENV.basePath] ?? ""}${ROUTE_PREFIX}/inspect`,
        clientAddress: (request) => {
          const header = peerHeader();
          return clientAddress(
            header ? request.headers.get(header) : null,
            request.headers.get("x-forwarded-for"),
            trustedProxyHops(),
          );
        },
      });
      return async (request: Request, context: InspectContext): Promise<Response> => {
        try {
          const { path } = await context.params;
          return await inspector(request, path ?? []);
        } catch (error) {
          console.error("[hookline] the inspector failed:", error);
          return new Response("The inspector could not answer; see the server's log.", { status: 500 });
        }
      };
    },
  };
}
