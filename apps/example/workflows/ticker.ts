import { getWritable, sleep } from "hookline";

/**
 * A slow, sporadic stream: after each pause (a durable sleep, so nothing runs meanwhile), a step
 * writes one tick saying when it was written. What test/stream-long-reader.test.ts reads for
 * ten minutes over one connection.
 */
export async function ticker(pausesMs: number[]) {
  "use workflow";
  const writable = getWritable<Tick>();
  for (const [index, pauseMs] of pausesMs.entries()) {
    if (pauseMs > 0) await sleep(pauseMs);
    await tick(writable, index);
  }
  return pausesMs.length;
}

export interface Tick {
  index: number;
  writtenAt: number;
}

async function tick(writable: WritableStream<Tick>, index: number) {
  "use step";
  const writer = writable.getWriter();
  await writer.write({ index, writtenAt: Date.now() });
  writer.releaseLock();
}
