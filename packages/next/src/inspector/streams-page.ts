/**
 * A run's streams in the inspector: the list on the run's page (namespace, chunk count, open or
 * closed), and one stream's page showing a window of its chunks (the newest by default, or from
 * `?from=<index>`), decoded like every recorded value, updated live as chunks are written.
 */
import type { StreamChunk, StreamInfo } from "@hookline/core/world";
import { type Html, html } from "./html.js";
import type { PageContext } from "./pages.js";
import { decode, pretty, textBlock } from "./values.js";

/** Chunks shown on one page of a stream. */
export const STREAM_WINDOW = 100;

export interface StreamSummary extends StreamInfo {
  namespace: string;
}

export interface StreamView {
  runId: string;
  namespace: string;
  info: StreamInfo;
  /** Whether the run has ended (which ends its streams too). */
  runEnded: boolean;
  /** The first index shown. */
  from: number;
  chunks: StreamChunk[];
}

const runPath = (ctx: PageContext, runId: string) => `${ctx.base}/runs/${encodeURIComponent(runId)}`;
const streamPath = (ctx: PageContext, runId: string, namespace: string) =>
  `${runPath(ctx, runId)}/streams/${encodeURIComponent(namespace)}`;
const chunkCount = (info: StreamInfo) =>
  `${(info.tailIndex + 1).toLocaleString("en")} chunk${info.tailIndex === 0 ? "" : "s"}`;

/** The run page's list of its streams (nothing when it has none). */
export function streamsBlock(ctx: PageContext, runId: string, streams: StreamSummary[]): Html {
  if (streams.length === 0) return html``;
  return html`<h2>Streams</h2><table class="streams"><thead><tr><th>Namespace</th><th>Chunks</th><th>State</th></tr></thead><tbody>
${streams.map(
  (s) =>
    html`<tr data-stream="${s.namespace}"><td><a href="${streamPath(ctx, runId, s.namespace)}"><code>${s.namespace}</code></a></td><td>${chunkCount(s)}</td><td>${s.done ? "closed" : "open"}</td></tr>`,
)}</tbody></table>`;
}

/** Where a stream's page starts: `?from=<index>`, else the newest window. */
export function streamWindowStart(from: string | null, info: StreamInfo): number {
  const asked = from === null ? Number.NaN : Number(from);
  if (Number.isSafeInteger(asked) && asked >= 0) return asked;
  return Math.max(0, info.tailIndex + 1 - STREAM_WINDOW);
}

export function streamRegion(ctx: PageContext, view: StreamView): Html {
  const { info, from, chunks } = view;
  const path = streamPath(ctx, view.runId, view.namespace);
  const state = info.done
    ? "closed"
    : view.runEnded
      ? "ended with its run"
      : "open: new chunks appear here as they are written";
  const last = from + chunks.length - 1;
  const nav = html`<p class="pager">${from > 0 ? html`<a href="${path}?from=${Math.max(0, from - STREAM_WINDOW)}">← earlier</a> ` : ""}${
    last < info.tailIndex ? html`<a href="${path}?from=${last + 1}">later →</a> <a href="${path}">newest</a>` : ""
  }</p>`;
  return html`<dl><dt>Chunks</dt><dd data-tail="${info.tailIndex}">${chunkCount(info)}</dd><dt>State</dt><dd>${state}</dd>
<dt>Showing</dt><dd>${chunks.length ? `${from.toLocaleString("en")}–${last.toLocaleString("en")}` : "nothing yet"}</dd></dl>${nav}
<table class="chunks"><thead><tr><th>Index</th><th>Value</th></tr></thead><tbody>
${chunks.map((chunk) => html`<tr data-index="${chunk.index}"><td>${chunk.index}</td><td>${chunkValue(chunk)}</td></tr>`)}
</tbody></table>`;
}

/** The stream page's body (the handler puts it in the layout). */
export function streamBody(ctx: PageContext, view: StreamView): Html {
  const path = streamPath(ctx, view.runId, view.namespace);
  // Live only while the newest chunks are shown: an earlier window does not move.
  const live = view.from + view.chunks.length > view.info.tailIndex && !view.info.done && !view.runEnded;
  return html`<p><a href="${runPath(ctx, view.runId)}">← Run <code>${view.runId}</code></a></p><h1>Stream <code>${view.namespace}</code></h1>
<div id="live-region" ${live ? html`data-live="${path}/live"` : ""} data-run="${view.runId}">${streamRegion(ctx, view)}</div>`;
}

/** A chunk as stored (the runtime's serialized text), decoded; text that is not JSON is shown as it is. */
function chunkValue(chunk: StreamChunk): Html {
  let value: unknown;
  try {
    value = decode(JSON.parse(chunk.data));
  } catch {
    value = chunk.data;
  }
  return textBlock(pretty(value));
}
