/**
 * Reads a request body in full before anything is recorded or answered, bounded in size
 * (checked while streaming, not trusted from Content-Length) and in time (a client that stops
 * sending is cut off), so no run ever waits on a half-sent body.
 */
export type BodyResult =
  | { ok: true; body: Uint8Array | null }
  | { ok: false; status: 408 | 413; reason: string };

export async function readBoundedBody(request: Request, maxBytes: number, idleTimeoutMs: number): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    return { ok: false, status: 413, reason: `The body is ${declared} bytes; this webhook accepts at most ${maxBytes}.` };
  }
  if (!request.body) return { ok: true, body: null };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<"stalled">((resolve) => {
        timer = setTimeout(() => resolve("stalled"), idleTimeoutMs);
      });
      const next = await Promise.race([reader.read(), stalled]).catch(() => "aborted" as const);
      clearTimeout(timer);
      if (next === "stalled" || next === "aborted") {
        return { ok: false, status: 408, reason: "The client stopped sending the body before its end." };
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) return { ok: false, status: 413, reason: `The body exceeds ${maxBytes} bytes, the most this webhook accepts.` };
      chunks.push(next.value);
    }
  } finally {
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
