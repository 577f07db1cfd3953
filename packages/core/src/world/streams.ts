/**
 * A run's output streams, kept by the world beside the event log (never in it): chunks of a
 * named stream ("namespace") at indexes 0, 1, 2 … with no gaps, then maybe a close. Chunks
 * are stored as the runtime hands them over (serialized text); the world never reads them.
 *
 * Replaying a run never reads its streams, so a run with 100,000 chunks replays as fast as one
 * with none.
 */

/** One stored chunk: its index in its stream and the text the runtime wrote. */
export interface StreamChunk {
  index: number;
  data: string;
}

export interface StreamInfo {
  /** Index of the last chunk; -1 while the stream has none. */
  tailIndex: number;
  /** The stream was closed: no chunk will follow. */
  done: boolean;
}

/** Told that a stream of `runId` changed (chunks appended or the stream closed), on any instance: read again. */
export type StreamListener = (runId: string, namespace: string) => void;

/** The default namespace: what `getWritable()` and `run.readable` use without a name. */
export const DEFAULT_NAMESPACE = "default";

/** A namespace is a name of up to 100 letters, digits, `_`, `-` and `.` (worlds use it in keys and paths). */
export const NAMESPACE_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

export interface WorldStreams {
  /**
   * Appends `chunks` to the stream, in order, at the next free indexes; resolves with the index
   * of the first once all are stored as durably as the world stores events (so an acknowledged
   * chunk survives `kill -9`). Concurrent writers (other processes included) never share an
   * index nor leave a gap; one call's chunks get consecutive indexes (the local world guarantees
   * that only among writers of one process: the runtime writes one chunk per call). Throws
   * StreamClosedError when the stream was closed.
   */
  write(runId: string, namespace: string, chunks: string[]): Promise<number>;
  /** Chunks with index ≥ `startIndex`, in order, at most `limit` (default 1,000). */
  read(runId: string, namespace: string, startIndex: number, limit?: number): Promise<StreamChunk[]>;
  info(runId: string, namespace: string): Promise<StreamInfo>;
  /** Closes the stream (idempotent): later writes throw StreamClosedError; readers end after the last chunk. */
  close(runId: string, namespace: string): Promise<void>;
  /** The namespaces the run has written to or closed, sorted. */
  list(runId: string): Promise<string[]>;
  /**
   * Calls `listener` after any process wrote to or closed any stream (best effort, like
   * onAppend: readers still read the stream; after `onResync`, read again).
   */
  subscribe(listener: StreamListener): () => void;
  /**
   * Optional, for worlds whose `subscribe` hears only this process (the local world): calls
   * `listener` when another process writes to or closes this one stream, or appends to its run's
   * log (so a reader also hears the run end). Best effort: readers still re-read now and then.
   * Returns the function that stops watching.
   */
  watch?(runId: string, namespace: string, listener: () => void): () => void;
}
