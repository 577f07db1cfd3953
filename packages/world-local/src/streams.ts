/**
 * The local world's streams: one key per chunk (`runs:<runId>:streams:<ns>:<index>`), created
 * exclusively at the next index, so concurrent writers (other processes on the same directory
 * included) never share an index nor leave a gap; and a `closed.json` key once closed. A write
 * is acknowledged once its keys are stored the way events are (the fs driver's atomic files,
 * fsynced with `fsync: true`), so an acknowledged chunk survives `kill -9`.
 *
 * Writers of this process learn the tail from memory; after a restart, or when another process
 * took an index, it is found again by probing (O(log n) existence checks, never a listing).
 * Listeners hear of this process's writes (and those of worlds sharing its storage) at once;
 * on the fs driver, `watch` also hears other processes' writes to one stream (stream-watch.ts).
 */
import {
  type StreamChunk,
  StreamClosedError,
  type StreamInfo,
  type StreamListener,
  type WorldStreams,
  worldChecks,
} from "@hookline/core/world";
import { checkFunction, checkRunId } from "./checks.js";
import { chunkKey, runStreamsBase, streamClosedKey } from "./keys.js";
import type { SharedStorage } from "./shared.js";
import type { Store } from "./store.js";
import type { DirectoryWatches } from "./stream-watch.js";

const { checkNamespace, checkChunks, checkRead } = worldChecks("Local world");

/** Streams whose tail this process remembers; beyond this, the oldest are forgotten (and probed again if used). */
const MAX_CACHED_STREAMS = 10_000;

interface StreamState {
  /** The next free index as far as this process knows (never past the real one). */
  next: number;
  closed: boolean;
}

export interface StreamParts {
  store: () => Promise<Store>;
  shared: SharedStorage;
  /** The fs driver's directory watches; null for other drivers (one process at a time). */
  watches: DirectoryWatches | null;
  report(error: unknown, where: string): void;
}

export class LocalStreams implements WorldStreams {
  readonly #parts: StreamParts;
  readonly #states = new Map<string, StreamState>();
  readonly #listeners = new Set<StreamListener>();

  constructor(parts: StreamParts) {
    this.#parts = parts;
  }

  async write(runId: string, namespace: string, chunks: string[]): Promise<number> {
    const where = `streams.write(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    checkChunks(chunks, where);
    const store = await this.#parts.store();
    const first = await this.#parts.shared.streamLocks.run(`${runId}:${namespace}`, async () => {
      const state = await this.#state(store, runId, namespace);
      if (!state.closed && (await store.has(streamClosedKey(runId, namespace)))) state.closed = true;
      if (state.closed) throw closedError(runId, namespace);
      let start = -1;
      for (const chunk of chunks) {
        // Another process took this index: find the tail again and go on from there.
        while (!(await store.create(chunkKey(runId, namespace, state.next), chunk)))
          state.next = await probeTail(store, runId, namespace, state.next);
        if (start < 0) start = state.next;
        state.next++;
      }
      return start;
    });
    this.#emit(runId, namespace);
    return first;
  }

  async read(runId: string, namespace: string, startIndex: number, limit?: number): Promise<StreamChunk[]> {
    const where = `streams.read(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    const checked = checkRead(startIndex, limit, where);
    const store = await this.#parts.store();
    const chunks: StreamChunk[] = [];
    // Indexes are contiguous: reading forward until the first missing key reads exactly what is there.
    for (let index = checked.startIndex; chunks.length < checked.limit; index++) {
      const data = await store.readText(chunkKey(runId, namespace, index));
      if (data === null) break;
      chunks.push({ index, data });
    }
    return chunks;
  }

  async info(runId: string, namespace: string): Promise<StreamInfo> {
    const where = `streams.info(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    const store = await this.#parts.store();
    const known = this.#states.get(`${runId}:${namespace}`)?.next ?? 0;
    const next = await probeTail(store, runId, namespace, known);
    return { tailIndex: next - 1, done: await store.has(streamClosedKey(runId, namespace)) };
  }

  async close(runId: string, namespace: string): Promise<void> {
    const where = `streams.close(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    const store = await this.#parts.store();
    await this.#parts.shared.streamLocks.run(`${runId}:${namespace}`, async () => {
      const state = await this.#state(store, runId, namespace);
      await store.create(streamClosedKey(runId, namespace), JSON.stringify({ closedAt: Date.now() }));
      state.closed = true;
    });
    this.#emit(runId, namespace);
  }

  async list(runId: string): Promise<string[]> {
    checkRunId(runId, "streams.list");
    const store = await this.#parts.store();
    const base = runStreamsBase(runId);
    const names = new Set<string>();
    for (const key of await store.keys(base)) {
      const namespace = key.slice(base.length + 1).split(":")[0];
      if (namespace) names.add(namespace);
    }
    return [...names].sort();
  }

  subscribe(listener: StreamListener): () => void {
    checkFunction(listener, "streams.subscribe: the listener");
    const entry: StreamListener = (runId, namespace) => listener(runId, namespace);
    this.#listeners.add(entry);
    this.#parts.shared.streamListeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
      this.#parts.shared.streamListeners.delete(entry);
    };
  }

  watch(runId: string, namespace: string, listener: () => void): () => void {
    const where = `streams.watch(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    checkFunction(listener, `${where}: the listener`);
    const watches = this.#parts.watches;
    if (!watches) return () => {};
    const stops = [
      watches.add(["runs", runId, "streams", namespace], listener),
      watches.add(["runs", runId, "events"], listener),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** Drops this world's listeners and watches (on close). */
  clear(): void {
    this.#parts.watches?.clear();
    for (const listener of this.#listeners) this.#parts.shared.streamListeners.delete(listener);
    this.#listeners.clear();
  }

  #emit(runId: string, namespace: string): void {
    for (const listener of this.#parts.shared.streamListeners) {
      try {
        listener(runId, namespace);
      } catch (error) {
        this.#parts.report(error, "a stream listener");
      }
    }
  }

  /** The remembered state of a stream, probed from storage the first time (the caller holds its lock). */
  async #state(store: Store, runId: string, namespace: string): Promise<StreamState> {
    const key = `${runId}:${namespace}`;
    let state = this.#states.get(key);
    if (!state) {
      state = { next: await probeTail(store, runId, namespace, 0), closed: false };
      this.#states.set(key, state);
      if (this.#states.size > MAX_CACHED_STREAMS) this.#states.delete(this.#states.keys().next().value!);
    }
    return state;
  }
}

/** The first free index at or after `from` (all indexes before `from` are known taken): exponential then binary search. */
async function probeTail(store: Store, runId: string, namespace: string, from: number): Promise<number> {
  const taken = (index: number) => store.has(chunkKey(runId, namespace, index));
  if (!(await taken(from))) return from;
  let low = from; // taken
  let step = 1;
  let high = from + step;
  while (await taken(high)) {
    low = high;
    step *= 2;
    high = low + step;
  }
  // low is taken, high is free.
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (await taken(mid)) low = mid;
    else high = mid;
  }
  return high;
}

function closedError(runId: string, namespace: string): StreamClosedError {
  return new StreamClosedError(
    `Run ${runId}: the stream "${namespace}" is closed, so nothing more can be written to it.`,
  );
}
