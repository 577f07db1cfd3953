/**
 * Live updates as Server-Sent Events, from the world's append notifications (no polling): every
 * append in any process becomes one `append` event with the run id and event type; a `resync`
 * tells the page that notifications may have been lost, so it re-reads.
 */
import type { World } from "@hookline/core/world";

const HEARTBEAT_MS = 15_000;

export function liveResponse(world: Pick<World, "onAppend" | "onResync">, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const offAppend = world.onAppend((runId, seq, type) => send(`event: append\ndata: ${JSON.stringify({ runId, seq, type })}\n\n`));
      const offResync = world.onResync?.(() => send("event: resync\ndata: {}\n\n")) ?? (() => {});
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
      stop = () => {
        offAppend();
        offResync();
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", () => stop(), { once: true });
      send("retry: 1000\n: connected\n\n");
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
