/**
 * Reads a request body in full before anything is recorded or answered, bounded in size
 * (checked while streaming, not trusted from Content-Length) and in time: a client that stops
 * sending is cut off after an idle limit, and one that drips its body byte by byte after a total
 * deadline, so no run ever waits on a half-sent body and no sender holds a connection forever.
 */
export type BodyResult = { ok: true; body: Uint8Array | null } | { ok: false; status: 408 | 413; reason: string };

export interface BodyLimits {
  maxBytes: number;
  /** Longest wait for the next chunk. */
  idleTimeoutMs: number;
  /** Longest time for the whole body, from the start of reading. */
  totalTimeoutMs: number;
}

const tooLarge = (maxBytes: number): BodyResult => ({
  ok: false,
  status: 413,
  reason: `The body exceeds ${maxBytes} bytes, the most this webhook accepts.`,
});

export async function readBoundedBody(request: Request, limits: BodyLimits): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limits.maxBytes) return tooLarge(limits.maxBytes);
  if (!request.body) return { ok: true, body: null };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Two timers for the whole body (the idle one restarted per chunk) and one promise they settle:
  // a small body costs no timer or promise per chunk beyond the read itself.
  let stop: (why: "idle" | "deadline") => void = () => {};
  const stopped = new Promise<"idle" | "deadline">((resolve) => {
    stop = resolve;
  });
  const deadlineTimer = setTimeout(() => stop("deadline"), limits.totalTimeoutMs);
  const idleTimer = setTimeout(() => stop("idle"), limits.idleTimeoutMs);
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), stopped]).catch(() => "aborted" as const);
      if (next === "deadline") {
        return {
          ok: false,
          status: 408,
          reason: `The client took longer than ${limits.totalTimeoutMs} ms to send the body.`,
        };
      }
      if (next === "idle" || next === "aborted")
        return { ok: false, status: 408, reason: "The client stopped sending the body before its end." };
      if (next.done) break;
      idleTimer.refresh();
      size += next.value.byteLength;
      if (size > limits.maxBytes) return tooLarge(limits.maxBytes);
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(idleTimer);
    reader.cancel().catch(() => {});
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, body };
}
