/**
 * The inspector's one route handler (`/.well-known/workflow/v1/inspect/[[...path]]`): access
 * (session.ts), then a page (GET), an action (POST, see actions.ts) or the live stream (live.ts).
 *
 *   GET  /                     runs (?status ?workflow ?q=<run id> ?before=<cursor> ?fragment=1)
 *   GET  /runs/:id             a run: arguments, result or error, streams, refused deliveries, timeline, actions
 *   GET  /runs/:id/streams/:ns a window of one stream's chunks (?from=<index> ?fragment=1), /live for its writes
 *   GET  /waits                pending hooks, webhooks and sleeps across runs
 *   GET  /schedules            cron schedules, their next ticks and latest runs
 *   GET  /live                 Server-Sent Events: one `append` per event appended to any run
 *   POST /login, /logout, /runs/:id/cancel, /runs/:id/rerun, /runs/:id/sleeps/:sleepId/wake,
 *        /runs/:id/hooks/:hookId/resume|reject
 */
import { scheduleInfo } from "@hookline/core/runtime";
import { NAMESPACE_PATTERN, type RunStatus, type RunSummary } from "@hookline/core/world";
import { type ActionPort, runAction } from "./actions.js";
import { CSS, SCRIPT } from "./assets.js";
import { liveResponse, streamLiveResponse } from "./live.js";
import { LoginLimiter } from "./login-limit.js";
import {
  layout,
  loginPage,
  type PageContext,
  pendingSleeps,
  type RunsQuery,
  type RunsView,
  type RunView,
  runPage,
  runRegion,
  runsPage,
  runsRegion,
  STATUSES,
  waitsPage,
  waitsRegion,
} from "./pages.js";
import { schedulesPage } from "./schedules-page.js";
import {
  type Access,
  accessFromEnv,
  COOKIE,
  clearedCookie,
  csrfToken,
  newSession,
  readCookie,
  sameOrigin,
  sameToken,
  sessionCookie,
  validCsrf,
  validSession,
} from "./session.js";
import { STREAM_WINDOW, streamBody, streamRegion, streamWindowStart } from "./streams-page.js";
import { inRange, rangeOf, startOf } from "./time-range.js";

export type InspectorPort = ActionPort;

export interface InspectorOptions {
  runtime(): Promise<InspectorPort>;
  secrets(): Promise<string[]>;
  /** The inspector's URL path (basePath + route prefix + /inspect). */
  base(): string;
  access?(): Access;
  /** The caller's address, for the login's limit on wrong tokens (see login-limit.ts). */
  clientAddress?(request: Request): string | undefined;
}

const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

const notFound = () => new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
const htmlResponse = (body: string, status = 200, extra: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS, ...extra },
  });

export function createInspector(options: InspectorOptions) {
  const logins = new LoginLimiter();
  return async function handle(request: Request, path: string[]): Promise<Response> {
    const access = (options.access ?? accessFromEnv)();
    if (access.kind === "hidden") return notFound();
    const base = options.base();
    const method = request.method.toUpperCase();
    const route = path.map((p) => decodeURIComponent(p));

    if (route[0] === "assets" && method === "GET") {
      if (route[1] === "inspector.css")
        return new Response(CSS, {
          headers: { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" },
        });
      if (route[1] === "inspector.js")
        return new Response(SCRIPT, {
          headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
        });
      return notFound();
    }

    const secrets = await options.secrets();
    const cookie = readCookie(request, COOKIE);
    const session = access.kind === "token" && validSession(cookie, secrets, access.token) ? cookie : undefined;
    const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";

    if (access.kind === "token" && route[0] === "login") {
      if (method !== "POST") return htmlResponse(loginPage(base, false));
      if (!sameOrigin(request)) return new Response("Cross-site request refused.", { status: 403 });
      // Callers whose address is unknown share one limit: safe, if stricter.
      const address = options.clientAddress?.(request) ?? "unknown";
      const wait = logins.blocked(address);
      if (wait > 0) return htmlResponse(loginPage(base, false, wait), 429, { "retry-after": String(wait) });
      const form = await request.formData().catch(() => null);
      const given = form?.get("token");
      if (typeof given !== "string" || !sameToken(given, access.token)) {
        logins.failed(address);
        return htmlResponse(loginPage(base, true), 401);
      }
      return new Response(null, {
        status: 303,
        headers: { location: base, "set-cookie": sessionCookie(newSession(secrets[0]!, access.token), base, secure) },
      });
    }
    if (access.kind === "token" && !session) {
      if (method === "GET" && route[0] !== "live") return htmlResponse(loginPage(base, false), 401);
      return new Response("Log in to the inspector first.", { status: 401 });
    }

    const ctx: PageContext = {
      base,
      csrf: csrfToken(secrets[0]!, session),
      loggedIn: session !== undefined,
      now: Date.now(),
    };
    const runtime = await options.runtime();

    if (method === "POST") {
      if (!sameOrigin(request)) return new Response("Cross-site request refused.", { status: 403 });
      const form = await request.formData().catch(() => null);
      const csrf = form?.get("csrf");
      if (!validCsrf(typeof csrf === "string" ? csrf : null, secrets, session))
        return new Response("Invalid or missing CSRF token.", { status: 403 });
      if (route[0] === "logout")
        return new Response(null, { status: 303, headers: { location: base, "set-cookie": clearedCookie(base) } });
      const outcome = await runAction(runtime, route, form!);
      if (!outcome) return notFound();
      if (outcome.refused && outcome.runId) {
        const shown = await runView(runtime.world, outcome.runId);
        if (shown) return htmlResponse(runPage(ctx, { ...shown, draft: outcome.refused }), 422);
      }
      const target = outcome.runId ? `${base}/runs/${encodeURIComponent(outcome.runId)}` : base;
      return new Response(null, {
        status: 303,
        headers: { location: `${target}?flash=${encodeURIComponent(outcome.message)}` },
      });
    }
    if (method !== "GET" && method !== "HEAD")
      return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, POST" } });

    const url = new URL(request.url);
    const fragment = url.searchParams.get("fragment") === "1";
    const flash = url.searchParams.get("flash") ?? undefined;
    const world = runtime.world;

    if (route.length === 0) {
      const q = url.searchParams.get("q")?.trim();
      if (q) {
        if (await world.getRun(q))
          return new Response(null, { status: 303, headers: { location: `${base}/runs/${encodeURIComponent(q)}` } });
      }
      const view = await runsView(runtime, url.searchParams);
      if (q) view.notFound = q;
      return htmlResponse(fragment ? runsRegion(ctx, view).text : runsPage(ctx, view, flash));
    }
    if (route[0] === "runs" && route.length === 2) {
      const runId = route[1]!;
      const view = await runView(world, runId, url.searchParams.get("events") === "all");
      if (!view)
        return htmlResponse(
          runsPage(ctx, { ...(await runsView(runtime, new URLSearchParams())), notFound: runId }),
          404,
        );
      return htmlResponse(fragment ? runRegion(ctx, view).text : runPage(ctx, view, flash));
    }
    if (
      route[0] === "runs" &&
      route[2] === "streams" &&
      (route.length === 4 || (route.length === 5 && route[4] === "live"))
    ) {
      const [, runId, , namespace] = route as [string, string, string, string];
      const summary = NAMESPACE_PATTERN.test(namespace) ? await world.getRun(runId) : null;
      if (!summary) return notFound();
      if (route.length === 5) return streamLiveResponse(world, runId, namespace, request.signal);
      const info = await world.streams.info(runId, namespace);
      const from = streamWindowStart(url.searchParams.get("from"), info);
      const chunks = await world.streams.read(runId, namespace, from, STREAM_WINDOW);
      const view = { runId, namespace, info, runEnded: ENDED.has(summary.status), from, chunks };
      return htmlResponse(
        fragment ? streamRegion(ctx, view).text : layout(ctx, `Stream ${namespace} of ${runId}`, streamBody(ctx, view)),
      );
    }
    if (route[0] === "waits" && route.length === 1) {
      const hooks = await world.listHooks({ status: "active" });
      const running = await world.listRuns({ status: "running", limit: 200 });
      const sleeps = (
        await Promise.all(running.map(async (run) => pendingSleeps(await world.readEvents(run.runId))))
      ).flat();
      const view = { hooks, sleeps };
      return htmlResponse(fragment ? waitsRegion(ctx, view).text : waitsPage(ctx, view));
    }
    if (route[0] === "schedules" && route.length === 1)
      return htmlResponse(schedulesPage(ctx, (await world.schedules.list()).map(scheduleInfo)));
    if (route[0] === "live" && route.length === 1) return liveResponse(world, request.signal);
    return notFound();
  };
}

const ENDED = new Set<RunStatus>(["completed", "failed", "cancelled"]);

/** What a run page shows of run `runId`; null if there is no such run. */
async function runView(world: InspectorPort["world"], runId: string, allEvents = false): Promise<RunView | null> {
  const summary = await world.getRun(runId);
  if (!summary) return null;
  const [events, hooks, refusals, reruns, streams] = await Promise.all([
    world.readEvents(runId),
    world.listHooks({ runId }),
    world.listRefusals({ runId }),
    rerunsOf(world, summary),
    streamsOf(world, runId),
  ]);
  return { summary, events, hooks, refusals, reruns, streams, allEvents };
}

async function streamsOf(world: InspectorPort["world"], runId: string) {
  const namespaces = await world.streams.list(runId);
  return Promise.all(
    namespaces.map(async (namespace) => ({ namespace, ...(await world.streams.info(runId, namespace)) })),
  );
}

async function runsView(runtime: InspectorPort, params: URLSearchParams): Promise<RunsView> {
  const world = runtime.world;
  const status = STATUSES.find((s) => s === params.get("status"));
  const workflowId = params.get("workflow") || undefined;
  const range = rangeOf(params);
  const query: RunsQuery = { status, workflowId, before: parseCursor(params.get("before")), ...range };
  const asked = Number(params.get("limit"));
  const size = Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : PAGE_SIZE;
  if (size !== PAGE_SIZE) query.limit = size;
  // The page from the runs' index, the counts and the workflow list from the world's counters: no read of every run.
  const [page, rows] = await Promise.all([
    world.listRuns({ status, workflowId, before: startOf(range, query.before), limit: size + 1 }),
    world.countRuns(),
  ]);
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const row of rows)
    if (workflowId === undefined || row.workflowId === workflowId) counts[row.status] += row.count;
  // Newest first: the first run older than `from` ends the range.
  const shown = page.filter((run) => inRange(range, run.createdAt));
  const runs = shown.slice(0, size);
  const last = runs.at(-1);
  const next = shown.length > size && last ? `${last.createdAt}~${last.runId}` : undefined;
  const workflows = [...new Set([...rows.map((r) => r.workflowId), ...(workflowId ? [workflowId] : [])])].sort();
  return { query, runs, next, counts, workflows };
}

/** The most reruns a run page lists (newest first). */
const RERUNS_SHOWN = 200;

/** The reruns of `run`, newest first: listRuns by rerunOf (an index on both worlds, no log reads). */
async function rerunsOf(world: InspectorPort["world"], run: RunSummary): Promise<RunSummary[]> {
  return world.listRuns({ rerunOf: run.runId, workflowId: run.workflowId, limit: RERUNS_SHOWN });
}

function parseCursor(text: string | null): RunsQuery["before"] {
  const match = text?.match(/^(\d+)~(.+)$/);
  return match ? { createdAt: Number(match[1]), runId: match[2]! } : undefined;
}
