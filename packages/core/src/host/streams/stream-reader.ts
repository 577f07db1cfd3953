/**
 * `run.getReadable()`: a live ReadableStream of a run's stream from an index. It reads what is
 * stored, then waits to be told of more (the world's stream notifications, from any instance),
 * and ends once the stream is closed or the run has ended and every chunk was read. A reader
 * that was told nothing re-reads every few seconds, so a lost notification costs latency, never
 * a chunk. Pulled: a slow consumer
 * holds back reading, never memory.
 */
import { InvalidArgumentError, RunNotFoundError } from "../../shared/errors.js";
import { deserialize } from "../../shared/serialization/index.js";
import { TERMINAL_RUN_EVENTS } from "../../world/events.js";
import type { World } from "../../world/world.js";

export type StreamWorld = Pick<World, "getRun" | "onAppend" | "onResync" | "streams">;

/** The SDK's readable: a ReadableStream that also tells where its stream ends now. */
export interface WorkflowReadableStream<T = unknown> extends ReadableStream<T> {
  /** Index of the stream's last chunk now (-1 while it has none). */
  getTailIndex(): Promise<number>;
}

export interface ReadableOptions<T> {
  namespace: string;
  /** 0 = the first chunk; negative = counted back from the tail when reading starts. */
  startIndex: number;
  /** How long a reader told nothing waits before it reads again, ms (default 2,000). */
  recheckMs?: number;
  /** What a chunk is enqueued as (default: its value); the response helpers keep its index. */
  map?: (value: unknown, index: number) => T;
}

/** Chunks read per world call. */
const BATCH = 500;
const ENDED = new Set(["completed", "failed", "cancelled"]);

export function checkStartIndex(startIndex: unknown, where: string): number {
  if (startIndex === undefined) return 0;
  if (!Number.isSafeInteger(startIndex)) {
    throw new InvalidArgumentError(
      `${where}: startIndex must be a whole number (0 = the first chunk, -1 = the last), got ${String(startIndex)}.`,
    );
  }
  return startIndex as number;
}

export function openReadable<T>(
  world: () => Promise<StreamWorld>,
  runId: string,
  options: ReadableOptions<T>,
): WorkflowReadableStream<T> {
  const { namespace } = options;
  const map = options.map ?? ((value: unknown) => value as T);
  const recheckMs = options.recheckMs ?? 2_000;
  let next: number | null = null;
  // Set when the world says something changed, so a wait that starts after the news does not sleep.
  let changed = false;
  let wake: (() => void) | null = null;
  let cancelled = false;
  const stops: Array<() => void> = [];
  const poke = () => {
    changed = true;
    wake?.();
  };
  const stop = () => {
    for (const unsubscribe of stops.splice(0)) unsubscribe();
    wake?.();
  };
  const subscribe = (w: StreamWorld) => {
    stops.push(
      w.streams.subscribe((run, ns) => {
        if (run === runId && ns === namespace) poke();
      }),
      w.onAppend((run, _seq, type) => {
        if (run === runId && (type === undefined || TERMINAL_RUN_EVENTS.has(type))) poke();
      }),
    );
    if (w.onResync) stops.push(w.onResync(poke));
  };
  const waitForChange = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), recheckMs);
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = done;
    });

  const readable = new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          await pullChunks(controller);
        } catch (error) {
          // The stream errors (an unknown run, a world failure): let go of the subscriptions.
          stop();
          throw error;
        }
      },
      cancel() {
        cancelled = true;
        stop();
      },
    },
    { highWaterMark: 0 },
  );

  async function pullChunks(controller: ReadableStreamDefaultController<T>): Promise<void> {
    const w = await world();
    if (next === null) {
      // Subscribed on the first read, not before: a readable nobody reads holds nothing.
      subscribe(w);
      next = await firstIndex(w, runId, namespace, options.startIndex);
      // Worlds that hear only this process on `subscribe` watch the stream for other processes' writes.
      if (w.streams.watch && !cancelled) stops.push(w.streams.watch(runId, namespace, poke));
    }
    // A pull still waiting when its consumer cancels ends quietly instead of reading on.
    while (!cancelled) {
      changed = false;
      const chunks = await w.streams.read(runId, namespace, next, BATCH);
      if (cancelled) return;
      if (chunks.length > 0) {
        for (const chunk of chunks) controller.enqueue(map(deserialize(JSON.parse(chunk.data)), chunk.index));
        next = chunks[chunks.length - 1]!.index + 1;
        return;
      }
      if (await ended(w, runId, namespace)) {
        // A chunk stored just before the end is still read: the end was seen after it.
        if ((await w.streams.read(runId, namespace, next, 1)).length > 0) continue;
        stop();
        controller.close();
        return;
      }
      if (!changed) await waitForChange();
    }
  }

  return Object.assign(readable, {
    getTailIndex: async () => (await (await world()).streams.info(runId, namespace)).tailIndex,
  });
}

/** Where reading starts: `startIndex`, or counted back from the tail; RunNotFoundError for an unknown run. */
async function firstIndex(world: StreamWorld, runId: string, namespace: string, startIndex: number): Promise<number> {
  if (!(await world.getRun(runId)))
    throw new RunNotFoundError(`No run with id "${runId}", so it has no stream to read.`);
  if (startIndex >= 0) return startIndex;
  const { tailIndex } = await world.streams.info(runId, namespace);
  return Math.max(0, tailIndex + 1 + startIndex);
}

/** The stream was closed, or its run ended (which ends all of its streams). */
async function ended(world: StreamWorld, runId: string, namespace: string): Promise<boolean> {
  if ((await world.streams.info(runId, namespace)).done) return true;
  const summary = await world.getRun(runId);
  return !summary || ENDED.has(summary.status);
}
