/**
 * A ReadableStream a step returns (or passes on) is copied into one of the run's streams, so
 * whoever receives it — the next step, the workflow's caller — reads it live from the world, on
 * any instance. The copy runs in the background: the step's result is recorded at once, and the
 * receiver reads chunks as they are stored. The stream is closed when the source ends or fails
 * (the failure is reported); if the process dies meanwhile, readers end when the run ends.
 */
import type { WorldStreams } from "../../world/streams.js";
import { encodeChunk, type StreamLimits } from "./stream-writer.js";

export function pipeIntoStream(
  streams: Pick<WorldStreams, "write" | "close">,
  runId: string,
  namespace: string,
  source: ReadableStream<unknown>,
  limits: StreamLimits,
  report: (error: unknown, where: string) => void,
): void {
  const where = `copying a step's ReadableStream into stream "${namespace}" of run ${runId}`;
  void (async () => {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await streams.write(runId, namespace, [encodeChunk(value, namespace, limits)]);
      }
    } catch (error) {
      report(error, where);
      await reader.cancel(error).catch(() => {});
    } finally {
      await streams.close(runId, namespace).catch((error: unknown) => report(error, where));
    }
  })();
}
