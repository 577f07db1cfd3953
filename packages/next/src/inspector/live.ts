/**
 * Live updates as Server-Sent Events, from the world's notifications (no polling): every append
 * in any process becomes one `append` event with the run id and event type; a `resync` tells the
 * page that notifications may have been lost, so it re-reads. A stream's page hears its stream's
 * writes the same way, as `append` events of its run.
 */
import type { World } from "@hookline/core/world";

const HEARTBEAT_MS = 15_000;

type Send = (event: string, data: unknown) => void;

export function liveResponse(world: Pick<World, "onAppend" | "onResync">, signal: AbortSignal): Response {
  return sseResponse(signal, (send) => {
    const offAppend = world.onAppend((runId, seq, type) => send("append", { runId, seq, type }));
    const offResync = world.onResync?.(() => send("resync", {})) ?? (() => {});
    return () => {
      offAppend();
      offResync();
    };
  });
}

/** One stream's writes and closes, and its run's appends (so the page hears the run end), from any process. */
export function streamLiveResponse(
  world: Pick<World, "onAppend" | "onResync" | "streams">,
  runId: string,
  namespace: string,
  signal: AbortSignal,
): Response {
  return sseResponse(signal, (send) => {
    const changed = () => send("append", { runId });
    const stops = [
      world.streams.subscribe((run, ns) => {
        if (run === runId && ns === namespace) changed();
      }),
      world.onAppend((run) => {
        if (run === runId) changed();
      }),
      world.onResync?.(() => send("resync", {})) ?? (() => {}),
      world.streams.watch?.(runId, namespace, changed) ?? (() => {}),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  });
}

function sseResponse(signal: AbortSignal, listen: (send: Send) => () => void): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const unlisten = listen((event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
      stop = () => {
        unlisten();
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", () => stop(), { once: true });
      write("retry: 1000\n: connected\n\n");
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
