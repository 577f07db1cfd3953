/**
 * getWritable() in a step: a WritableStream into one of the run's streams. Each chunk is
 * serialized (a value that cannot be is refused naming its path, and nothing is stored),
 * checked against the size limit, and written to the world; `write()` resolves once the world
 * has stored it. `close()` closes the stream for every writer and reader.
 */
import { InvalidArgumentError, SerializationError, StreamClosedError } from "../../shared/errors.js";
import { serialize } from "../../shared/serialization/index.js";
import { markStream } from "../../shared/stream-ref.js";
import type { WorldStreams } from "../../world/streams.js";

export interface StreamLimits {
  /** The largest chunk, in bytes of its serialized form (default 1 MiB). */
  maxChunkBytes: number;
}

export const DEFAULT_MAX_CHUNK_BYTES = 1024 * 1024;

export function openWritable<T>(
  streams: Pick<WorldStreams, "write" | "close">,
  runId: string,
  namespace: string,
  limits: StreamLimits,
): WritableStream<T> {
  const writable = new WritableStream<T>(
    {
      async write(chunk) {
        await streams.write(runId, namespace, [encodeChunk(chunk, namespace, limits)]);
      },
      async close() {
        await streams.close(runId, namespace);
      },
    },
    // One chunk in flight at a time keeps the stream's order; a writer that does not await
    // each write still has its writes queued in order.
    { highWaterMark: 1 },
  );
  return markStream(closedWritesExplained(writable, runId, namespace), { kind: "writable", namespace });
}

/**
 * After `close()`, the platform refuses writes with a bare TypeError ("Invalid state"); this
 * stream's writers refuse them with a StreamClosedError that says which stream and why.
 */
function closedWritesExplained<T>(writable: WritableStream<T>, runId: string, namespace: string): WritableStream<T> {
  let closed = false;
  const refuse = () =>
    Promise.reject(
      new StreamClosedError(
        `Run ${runId}: the stream "${namespace}" is closed (close() was called on it), so nothing more can be written to it.`,
      ),
    );
  const getWriter = writable.getWriter.bind(writable);
  const close = writable.close.bind(writable);
  Object.defineProperties(writable, {
    close: {
      value: () => {
        closed = true;
        return close();
      },
    },
    getWriter: {
      value: () => {
        const writer = getWriter();
        const write = writer.write.bind(writer);
        const closeWriter = writer.close.bind(writer);
        Object.defineProperties(writer, {
          write: { value: (chunk: T) => (closed ? refuse() : write(chunk)) },
          close: {
            value: () => {
              closed = true;
              return closeWriter();
            },
          },
        });
        return writer;
      },
    },
  });
  return writable;
}

/** A chunk as the world stores it: the serializer's JSON text, refused when over the limit. */
export function encodeChunk(chunk: unknown, namespace: string, limits: StreamLimits): string {
  let text: string;
  try {
    text = JSON.stringify(serialize(chunk, "chunk"));
  } catch (error) {
    if (SerializationError.is(error)) {
      throw new SerializationError(`Stream "${namespace}": nothing was written. ${error.message}`, error.path);
    }
    throw error;
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limits.maxChunkBytes) {
    throw new InvalidArgumentError(
      `Stream "${namespace}": a chunk of ${bytes} bytes (serialized) is over the limit of ${limits.maxChunkBytes} bytes, so it was not written. Split it into smaller chunks, or raise the limit (streams.maxChunkBytes in the runtime options, or HOOKLINE_STREAM_MAX_CHUNK_BYTES).`,
    );
  }
  return text;
}
