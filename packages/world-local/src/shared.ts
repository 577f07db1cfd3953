/**
 * State shared by every world of this process that opens the same storage (one directory, or
 * one driver instance): the locks that make the log's and the hook index's invariants exact
 * within a process, the stream locks, and the onAppend and stream listeners, so two worlds on one directory behave like one.
 */
import type { AppendListener, StreamListener } from "@hookline/core/world";
import { KeyedMutex } from "./keyed-mutex.js";

export interface SharedStorage {
  /** Serializes appends (and repairs) per run id. */
  readonly runLocks: KeyedMutex;
  /** Serializes claims and ends per token hash, and claims of start keys (`start:<key>`). */
  readonly tokenLocks: KeyedMutex;
  readonly listeners: Set<AppendListener>;
  /** Serializes changes to a concurrency key's slots (`slots:<hash>`). */
  readonly slotLocks: KeyedMutex;
  /** Serializes writes and closes per stream (`runId:namespace`). */
  readonly streamLocks: KeyedMutex;
  readonly streamListeners: Set<StreamListener>;
  /** Runs whose status change is in flight in this process (status-notes.ts). */
  readonly movingRuns: Set<string>;
}

const byPath = new Map<string, SharedStorage>();
const byDriver = new WeakMap<object, SharedStorage>();

const create = (): SharedStorage => ({
  runLocks: new KeyedMutex(),
  tokenLocks: new KeyedMutex(),
  slotLocks: new KeyedMutex(),
  listeners: new Set(),
  streamLocks: new KeyedMutex(),
  streamListeners: new Set(),
  movingRuns: new Set(),
});

export function sharedFor(storage: string | object): SharedStorage {
  if (typeof storage === "string") {
    const shared = byPath.get(storage) ?? create();
    byPath.set(storage, shared);
    return shared;
  }
  const shared = byDriver.get(storage) ?? create();
  byDriver.set(storage, shared);
  return shared;
}
