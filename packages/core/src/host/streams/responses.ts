/**
 * One-line Responses of a run's stream for route handlers:
 *
 *   export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
 *     return sseResponse((await params).runId, { request });
 *   }
 *
 * - sseResponse: Server-Sent Events, one event per chunk with `id:` = the chunk's index and
 *   `data:` = the chunk as JSON; a browser's EventSource that reconnects sends Last-Event-ID and
 *   continues at the exact next chunk. When the stream ends an `end` event carries the run's
 *   status (close the EventSource then, or it reconnects); comments keep idle connections open.
 * - ndjsonResponse: one JSON line per chunk.
 * - bytesResponse: strings as UTF-8 and bytes as they are (Uint8Array, ArrayBuffer, any view).
 *
 * An unknown run answers 404 with a JSON error (never a stream that fails later).
 */
import { InvalidArgumentError } from "../../shared/errors.js";
import { namespaceOption } from "../../shared/stream-ref.js";
import { getRuntime } from "../global-runtime.js";
import { checkStartIndex, openReadable } from "./stream-reader.js";

export interface StreamResponseOptions {
  /** The run's stream to send (default "default"). */
  namespace?: string;
  /** The first chunk to send (default 0; negative: counted back from the tail). */
  startIndex?: number;
  /** Added to the response's headers (Content-Type included: bytesResponse's is application/octet-stream). */
  headers?: HeadersInit;
}

export interface SseResponseOptions extends StreamResponseOptions {
  /** The incoming request: its Last-Event-ID header (set by a reconnecting EventSource) wins over startIndex. */
  request?: Request;
  /** How often an idle connection gets a comment, so proxies do not close it, ms (default 15,000). */
  keepAliveMs?: number;
}

type RunLike = string | { readonly runId: string };

const encoder = new TextEncoder();

export async function sseResponse(run: RunLike, options: SseResponseOptions = {}): Promise<Response> {
  const lastEventId = options.request?.headers.get("last-event-id")?.trim();
  const resumeAt = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) + 1 : undefined;
  const opened = await open(run, { ...options, startIndex: resumeAt ?? options.startIndex }, "sseResponse()");
  if (opened instanceof Response) return opened;
  const { chunks, status } = opened;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const reader = chunks.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const keepAlive = setInterval(() => controller.enqueue(encoder.encode(": keep-alive\n\n")), keepAliveMs);
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ status: await status() })}\n\n`));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`id: ${value.index}\ndata: ${json(value.value)}\n\n`));
      } finally {
        clearInterval(keepAlive);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, {
    headers: merge(
      {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
      options.headers,
    ),
  });
}

export async function ndjsonResponse(run: RunLike, options: StreamResponseOptions = {}): Promise<Response> {
  const opened = await open(run, options, "ndjsonResponse()");
  if (opened instanceof Response) return opened;
  const body = opened.chunks.pipeThrough(
    new TransformStream<{ value: unknown }, Uint8Array>({
      transform: (chunk, controller) => controller.enqueue(encoder.encode(`${json(chunk.value)}\n`)),
    }),
  );
  return new Response(body, {
    headers: merge(
      { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-cache" },
      options.headers,
    ),
  });
}

export async function bytesResponse(run: RunLike, options: StreamResponseOptions = {}): Promise<Response> {
  const opened = await open(run, options, "bytesResponse()");
  if (opened instanceof Response) return opened;
  const body = opened.chunks.pipeThrough(
    new TransformStream<{ value: unknown; index: number }, Uint8Array>({
      transform: (chunk, controller) => controller.enqueue(toBytes(chunk.value, chunk.index)),
    }),
  );
  return new Response(body, {
    headers: merge({ "content-type": "application/octet-stream", "cache-control": "no-cache" }, options.headers),
  });
}

interface Opened {
  chunks: ReadableStream<{ value: unknown; index: number }>;
  /** The run's status now (sent with SSE's end event). */
  status(): Promise<string>;
}

async function open(run: RunLike, options: StreamResponseOptions, where: string): Promise<Opened | Response> {
  const runId = typeof run === "string" ? run : run?.runId;
  if (typeof runId !== "string" || runId === "")
    throw new InvalidArgumentError(`${where}: pass a run (or its id), got ${String(runId)}.`);
  const namespace = namespaceOption(options, where);
  const startIndex = checkStartIndex(options.startIndex, where);
  const world = async () => (await getRuntime()).world;
  if (!(await (await world()).getRun(runId))) {
    return Response.json({ error: `No run with id "${runId}".`, code: "HOOKLINE_RUN_NOT_FOUND" }, { status: 404 });
  }
  return {
    chunks: openReadable(world, runId, { namespace, startIndex, map: (value, index) => ({ value, index }) }),
    status: async () => (await (await world()).getRun(runId))?.status ?? "unknown",
  };
}

/** A chunk as one line of JSON (`undefined` as null). */
function json(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

function toBytes(value: unknown, index: number): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(
    `bytesResponse(): chunk ${index} is ${value === null ? "null" : typeof value}, not a string or bytes. Use ndjsonResponse() or sseResponse() for a stream of values.`,
  );
}

function merge(defaults: Record<string, string>, extra: HeadersInit | undefined): Headers {
  const headers = new Headers(defaults);
  for (const [name, value] of new Headers(extra)) headers.set(name, value);
  return headers;
}
