/** The inspector's pages, rendered on the server from the world: runs, a run, waits, login. */
import { hookDefinitionLoaded } from "@hookline/core/runtime";
import type { HookRecord, RefusedDelivery, RunStatus, RunSummary, WorkflowEvent } from "@hookline/core/world";
import { definitionOf, type ResumeDraft } from "./actions.js";
import { divergenceBlock } from "./divergence.js";
import { countdown, type Html, html, statusBadge, time } from "./html.js";
import { type StreamSummary, streamsBlock } from "./streams-page.js";
import { formTime, isoTime, type TimeRange } from "./time-range.js";
import { timeline } from "./timeline.js";
import { decode, oneLine, pretty, textBlock, valueBlock } from "./values.js";

export const STATUSES: readonly RunStatus[] = ["pending", "running", "completed", "failed", "cancelled"];
const nameOf = (id: string) => id.split("//").pop() ?? id;

export interface PageContext {
  /** The inspector's URL path, e.g. /.well-known/workflow/v1/inspect */
  base: string;
  csrf: string;
  /** Whether there is a session to log out of. */
  loggedIn: boolean;
  now: number;
}

export function layout(ctx: PageContext, title: string, body: Html, flash?: string): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><title>${title} · Hookline inspector</title><link rel="stylesheet" href="${ctx.base}/assets/inspector.css"></head>
<body><header class="top"><strong>Hookline inspector</strong><nav><a href="${ctx.base}">Runs</a><a href="${ctx.base}/waits">Waits</a><a href="${ctx.base}/schedules">Schedules</a></nav>
<span class="live"></span>${ctx.loggedIn ? html`<form class="inline logout" method="post" action="${ctx.base}/logout"><input type="hidden" name="csrf" value="${ctx.csrf}"><button>Log out</button></form>` : ""}</header>
<main>${flash ? html`<p class="flash" role="status">${flash}</p>` : ""}${body}</main><script src="${ctx.base}/assets/inspector.js"></script></body></html>`}`;
}

/** `retryAfter`: seconds this address must wait after too many wrong tokens. */
export function loginPage(base: string, failed: boolean, retryAfter = 0): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><title>Log in · Hookline inspector</title><link rel="stylesheet" href="${base}/assets/inspector.css"></head>
<body><header class="top"><strong>Hookline inspector</strong></header><main>
<h1>Log in</h1><p>Enter the token set in <code>HOOKLINE_INSPECTOR_TOKEN</code> on this deployment.</p>
${failed ? html`<p class="error" role="alert">That token is not the inspector's token.</p>` : ""}
${retryAfter > 0 ? html`<p class="error" role="alert">Too many wrong tokens from your address; try again in ${String(retryAfter)} s.</p>` : ""}
<form method="post" action="${base}/login"><input type="password" name="token" autocomplete="current-password" aria-label="Inspector token" autofocus required> <button>Log in</button></form>
</main></body></html>`}`;
}

export interface RunsQuery extends TimeRange {
  status?: RunStatus;
  workflowId?: string;
  before?: { createdAt: number; runId: string };
  /** A page size other than the default. */
  limit?: number;
}

export interface RunsView {
  query: RunsQuery;
  runs: RunSummary[];
  /** The cursor of the next page, when there is one. */
  next?: string;
  /** Runs per status (of the workflow filtered on, if any), whatever the status filter. */
  counts: Record<RunStatus, number>;
  workflows: string[];
  notFound?: string;
}

export function runsRegion(ctx: PageContext, view: RunsView): Html {
  const { query } = view;
  const link = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    const merged = {
      status: query.status,
      workflow: query.workflowId,
      from: isoTime(query.from),
      to: isoTime(query.to),
      limit: query.limit ? String(query.limit) : undefined,
      ...extra,
    };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return `${ctx.base}${text ? `?${text}` : ""}`;
  };
  return html`<p class="counts"><a href="${link({ status: undefined })}" class="${query.status ? "" : "on"}">all</a>${STATUSES.map(
    (status) =>
      html`<a href="${link({ status })}" class="${query.status === status ? "on" : ""}" data-status="${status}">${status} <span class="count">${String(view.counts[status])}</span></a>`,
  )}${query.from !== undefined || query.to !== undefined ? html` <span class="muted">(counts of all time)</span>` : ""}</p>
${view.notFound ? html`<p class="error">No run with id <code>${view.notFound}</code>.</p>` : ""}
<table class="runs"><thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Created</th><th>Ended</th></tr></thead><tbody>
${view.runs.length === 0 ? html`<tr><td colspan="5" class="muted">No runs.</td></tr>` : ""}
${view.runs.map(
  (run) =>
    html`<tr data-run="${run.runId}"><td><a href="${ctx.base}/runs/${encodeURIComponent(run.runId)}"><code>${run.runId}</code></a></td><td>${nameOf(run.workflowId)}</td><td>${statusBadge(run.status)}</td><td>${time(run.createdAt)}</td><td>${time(run.endedAt)}</td></tr>`,
)}
</tbody></table>
${view.next ? html`<p><a rel="next" href="${link({ before: view.next })}">Older runs →</a></p>` : ""}`;
}

export function runsPage(ctx: PageContext, view: RunsView, flash?: string): string {
  const { query } = view;
  const body = html`<h1>Runs</h1>
<form class="inline" method="get" action="${ctx.base}">
<input name="q" placeholder="Run id" aria-label="Search by run id">
<select name="status" aria-label="Status"><option value="">any status</option>${STATUSES.map((s) => html`<option${query.status === s ? html` selected` : ""}>${s}</option>`)}</select>
<select name="workflow" aria-label="Workflow"><option value="">any workflow</option>${view.workflows.map((w) => html`<option value="${w}"${query.workflowId === w ? html` selected` : ""}>${nameOf(w)}</option>`)}</select>
<label>created from <input type="datetime-local" name="from" value="${formTime(query.from)}" aria-label="Created from (UTC)"></label>
<label>before <input type="datetime-local" name="to" value="${formTime(query.to)}" aria-label="Created before (UTC)"></label> UTC
<button>Filter</button></form>
<div id="live-region" data-live="${ctx.base}/live">${runsRegion(ctx, view)}</div>
${
  query.status === "pending" ||
  query.status === "running" ||
  query.workflowId ||
  query.from !== undefined ||
  query.to !== undefined
    ? html`<form class="inline" method="post" action="${ctx.base}/cancel-many"><input type="hidden" name="csrf" value="${ctx.csrf}">
<input type="hidden" name="status" value="${query.status ?? ""}"><input type="hidden" name="workflow" value="${query.workflowId ?? ""}">
<input type="hidden" name="from" value="${isoTime(query.from) ?? ""}"><input type="hidden" name="to" value="${isoTime(query.to) ?? ""}">
<input name="reason" placeholder="Reason" aria-label="Reason for cancelling these runs"><button class="danger">Cancel every ${query.status ?? "pending or running"} run${query.workflowId ? html` of ${nameOf(query.workflowId)}` : ""}${query.from !== undefined || query.to !== undefined ? " in this time range" : ""}</button></form>`
    : ""
}`;
  return layout(ctx, "Runs", body, flash);
}

export interface RunView {
  summary: RunSummary;
  events: WorkflowEvent[];
  hooks: HookRecord[];
  refusals: RefusedDelivery[];
  /** Runs that rerun this one, newest first (listRuns by rerunOf, see handler.ts). */
  reruns: RunSummary[];
  streams: StreamSummary[];
  /** A resume the hook's schema refused: its form shows the payload as typed and why. */
  draft?: ResumeDraft;
  /** Show every event in the timeline, not only the newest TIMELINE_WINDOW. */
  allEvents?: boolean;
}

/** The timeline rows a run page shows unless asked for all: rendering every value of a long log costs. */
export const TIMELINE_WINDOW = 500;

const runLink = (ctx: PageContext, runId: string) =>
  html`<a href="${ctx.base}/runs/${encodeURIComponent(runId)}"><code>${runId}</code></a>`;

export function runRegion(ctx: PageContext, view: RunView): Html {
  const { summary, events } = view;
  const created = events.find((e) => e.type === "run_created");
  const end = events.findLast(
    (e) => e.type === "run_completed" || e.type === "run_failed" || e.type === "run_cancelled",
  );
  const error = end?.type === "run_failed" ? decode(end.data.error) : undefined;
  const from = view.allEvents ? 0 : Math.max(0, events.length - TIMELINE_WINDOW);
  return html`<dl>
<dt>Workflow</dt><dd>${nameOf(summary.workflowId)} <span class="muted">${summary.workflowId}</span></dd>
<dt>Status</dt><dd>${statusBadge(summary.status)}</dd>
${summary.rerunOf ? html`<dt>Rerun of</dt><dd data-rerun-of="${summary.rerunOf}">${runLink(ctx, summary.rerunOf)}</dd>` : ""}
${view.reruns.length ? html`<dt>Reruns</dt><dd data-reruns="">${view.reruns.map((r) => html`${runLink(ctx, r.runId)} ${statusBadge(r.status)} `)}</dd>` : ""}
<dt>Created</dt><dd>${time(summary.createdAt)}</dd><dt>Started</dt><dd>${time(summary.startedAt)}</dd><dt>Ended</dt><dd>${time(summary.endedAt)}</dd>
<dt>Events</dt><dd>${events.length}</dd></dl>
<h2>Arguments</h2>${created?.type === "run_created" ? valueBlock(created.data.args) : html`<p class="muted">—</p>`}
${end?.type === "run_completed" ? html`<h2>Result</h2>${valueBlock(end.data.result)}` : ""}
${end?.type === "run_failed" ? html`<h2>Error</h2>${divergenceBlock(error, events) ?? ""}${errorBlock(error)}` : ""}
${end?.type === "run_cancelled" ? html`<h2>Cancelled</h2><p>${end.data.reason ?? "No reason given."}</p>` : ""}
${streamsBlock(ctx, summary.runId, view.streams)}
${refusalsBlock(view.refusals)}
<h2>Timeline</h2>${
    from > 0
      ? html`<p class="muted" data-timeline-window="">The newest ${String(events.length - from)} of ${String(events.length)} events. <a href="${ctx.base}/runs/${encodeURIComponent(summary.runId)}?events=all">Show all</a></p>`
      : ""
  }<table class="timeline"><thead><tr><th>#</th><th>At</th><th>Op</th><th>What</th><th>Detail</th></tr></thead><tbody>
${timeline(events, ctx.now, from).map(
  (row) =>
    html`<tr data-type="${row.event.type}"><td>${row.event.seq}</td><td>${time(row.event.at)}<div class="muted">+${row.event.at - summary.createdAt} ms</div></td><td><code>${row.event.corr ?? ""}</code></td><td>${row.label}</td><td>${row.detail}</td></tr>`,
)}
</tbody></table>`;
}

function errorBlock(error: unknown): Html {
  if (error instanceof Error) {
    return html`<p class="error"><strong>${error.name}</strong>: ${error.message}</p>${error.stack ? textBlock(error.stack) : ""}${
      error.cause === undefined ? "" : html`<div class="label">cause</div>${textBlock(pretty(error.cause))}`
    }`;
  }
  return textBlock(pretty(error));
}

function refusalsBlock(refusals: RefusedDelivery[]): Html {
  if (refusals.length === 0) return html``;
  return html`<h2>Refused deliveries</h2><p class="muted">Requests the webhook URL refused before anything was recorded in the run (never their bodies).</p>
<table class="refusals"><thead><tr><th>Hook</th><th>Status</th><th>Reason</th><th>Method</th><th>From</th><th>When</th><th>Count</th></tr></thead><tbody>
${refusals.map(
  (
    r,
  ) => html`<tr><td><code>${r.hookId}</code></td><td><strong>${r.status}</strong></td><td>${r.reason}</td><td>${r.method}</td><td>${r.address ?? ""}</td><td>${time(r.lastAt)}</td><td>${r.count}</td></tr>
<tr><td></td><td colspan="6"><details><summary>headers</summary>${textBlock(r.headers.map(([k, v]) => `${k}: ${v}`).join("\n"))}</details></td></tr>`,
)}</tbody></table>`;
}

export function runPage(ctx: PageContext, view: RunView, flash?: string): string {
  const { summary } = view;
  const ended = summary.status === "completed" || summary.status === "failed" || summary.status === "cancelled";
  const runPath = `${ctx.base}/runs/${encodeURIComponent(summary.runId)}`;
  const active = view.hooks.filter((h) => h.status === "active");
  const sleeping = pendingSleeps(view.events);
  const actions = html`<h2>Actions</h2>
${ended ? "" : html`<form class="inline" method="post" action="${runPath}/cancel"><input type="hidden" name="csrf" value="${ctx.csrf}"><input name="reason" placeholder="Reason" aria-label="Cancel reason"><button class="danger">Cancel run</button></form>`}
<form class="inline" method="post" action="${runPath}/rerun"><input type="hidden" name="csrf" value="${ctx.csrf}"><button>Rerun with the same arguments</button></form>
${sleeping.map(
  (s) =>
    html`<div class="card" data-sleep="${s.id}"><strong>Sleeping</strong> <code>${s.id}</code> until ${time(s.until)} (${countdown(s.until, ctx.now)}) ${wakeForm(ctx, runPath, s.id)}</div>`,
)}
${active.map(
  (
    hook,
  ) => html`<div class="card" data-hook="${hook.hookId}"><strong>Waiting ${hook.kind}</strong> <code>${hook.hookId}</code> · token hash <code>${hook.tokenHash.slice(0, 12)}</code> · expires ${countdown(hook.expiresAt, ctx.now)}
${hook.metadata === undefined ? "" : html`<div class="label">metadata</div>${valueBlock(hook.metadata)}`}
${resumeForm(ctx, runPath, hook, definitionOf(view.events, hook.hookId), view.draft?.hookId === hook.hookId ? view.draft : undefined)}
<form class="inline" method="post" action="${runPath}/hooks/${encodeURIComponent(hook.hookId)}/reject"><input type="hidden" name="csrf" value="${ctx.csrf}"><input name="message" placeholder="Error message" aria-label="Reject message"><button class="danger">Reject</button></form></div>`,
)}`;
  const body = html`<p><a href="${ctx.base}">← Runs</a></p><h1>Run <code>${summary.runId}</code></h1>${actions}
<div id="live-region" data-live="${ctx.base}/live" data-run="${summary.runId}" data-page="${runPath}">${runRegion(ctx, view)}</div>`;
  return layout(ctx, `Run ${summary.runId}`, body, flash);
}

/** "Resume": a JSON payload; checked against the hook's defineHook schema, if any, when submitted. */
function resumeForm(
  ctx: PageContext,
  runPath: string,
  hook: HookRecord,
  definition: string | undefined,
  draft: ResumeDraft | undefined,
): Html {
  const label = hook.kind === "webhook" ? "Request body (JSON), delivered as a POST" : "Payload (JSON)";
  return html`<form method="post" action="${runPath}/hooks/${encodeURIComponent(hook.hookId)}/resume"><input type="hidden" name="csrf" value="${ctx.csrf}">
<label class="label" for="payload-${hook.hookId}">${label}${definition === undefined ? "" : html`, checked against the schema of <code data-definition="${definition}">${definition}</code>`}${
    definition !== undefined && !hookDefinitionLoaded(definition)
      ? html` (not loaded in this process: resume it from the app's own inspector)`
      : ""
  }</label>
${draft ? html`<p class="error" role="alert" data-refused="${hook.hookId}">Not resumed: ${draft.error}</p>` : ""}
<textarea id="payload-${hook.hookId}" name="payload">${draft ? draft.payload : "{}"}</textarea><button>Resume</button></form>`;
}

/** "Wake now": ends the sleep through the runtime's wakeSleep(). */
function wakeForm(ctx: PageContext, runPath: string, sleepId: string): Html {
  return html`<form class="inline" method="post" action="${runPath}/sleeps/${encodeURIComponent(sleepId)}/wake"><input type="hidden" name="csrf" value="${ctx.csrf}"><button>Wake now</button></form>`;
}

export interface PendingSleep {
  runId?: string;
  id: string;
  since: number;
  until: number;
}

export function pendingSleeps(events: readonly WorkflowEvent[]): PendingSleep[] {
  if (events.some((e) => e.type === "run_completed" || e.type === "run_failed" || e.type === "run_cancelled"))
    return [];
  const open = new Map<string, PendingSleep>();
  for (const event of events) {
    if (event.type === "sleep_started" && event.corr)
      open.set(event.corr, { runId: event.runId, id: event.corr, since: event.at, until: event.data.until });
    if (event.type === "sleep_completed" && event.corr) open.delete(event.corr);
  }
  return [...open.values()];
}

export interface WaitsView {
  hooks: HookRecord[];
  sleeps: PendingSleep[];
}

export function waitsRegion(ctx: PageContext, view: WaitsView): Html {
  return html`<h2>Hooks and webhooks</h2><table class="waits"><thead><tr><th>Kind</th><th>Run</th><th>Op</th><th>Token hash</th><th>Metadata</th><th>Created</th><th>Expires in</th></tr></thead><tbody>
${view.hooks.length === 0 ? html`<tr><td colspan="7" class="muted">Nothing is waiting on a hook.</td></tr>` : ""}
${view.hooks.map(
  (h) =>
    html`<tr><td>${h.kind}</td><td>${runLink(ctx, h.runId)}</td><td><code>${h.hookId}</code></td><td><code>${h.tokenHash.slice(0, 12)}</code></td><td><code>${h.metadata === undefined ? "" : oneLine(h.metadata)}</code></td><td>${time(h.createdAt)}</td><td>${countdown(h.expiresAt, ctx.now)}</td></tr>`,
)}</tbody></table>
<h2>Sleeps</h2><table class="sleeps"><thead><tr><th>Run</th><th>Op</th><th>Since</th><th>Until</th><th>Wakes in</th><th></th></tr></thead><tbody>
${view.sleeps.length === 0 ? html`<tr><td colspan="6" class="muted">No run is sleeping.</td></tr>` : ""}
${view.sleeps.map(
  (s) =>
    html`<tr data-sleep="${s.id}"><td>${s.runId ? runLink(ctx, s.runId) : ""}</td><td><code>${s.id}</code></td><td>${time(s.since)}</td><td>${time(s.until)}</td><td>${countdown(s.until, ctx.now)}</td><td>${s.runId ? wakeForm(ctx, `${ctx.base}/runs/${encodeURIComponent(s.runId)}`, s.id) : ""}</td></tr>`,
)}
</tbody></table>`;
}

export function waitsPage(ctx: PageContext, view: WaitsView): string {
  return layout(
    ctx,
    "Waits",
    html`<h1>Waits</h1><div id="live-region" data-live="${ctx.base}/live" data-all="1">${waitsRegion(ctx, view)}</div>`,
  );
}
