/**
 * Who subscribes to a PostgreSQL world: onAppend and stream listeners, told of this instance's
 * appends and stream writes as they return and of other instances' through NOTIFY, and onResync listeners, told when the LISTEN
 * connection came back (notifications sent meanwhile are lost, so waiters read again). A
 * listener that throws is reported and never silences the others.
 */
import type { AppendListener, EventType, StreamListener } from "@hookline/core/world";
import { checkFunction } from "./validate.js";

export class Subscribers {
  readonly #append = new Set<AppendListener>();
  readonly #resync = new Set<() => void>();
  readonly #stream = new Set<StreamListener>();
  readonly #report: (error: unknown, where: string) => void;

  constructor(report: (error: unknown, where: string) => void) {
    this.#report = report;
  }

  onAppend(listener: AppendListener): () => void {
    checkFunction(listener, "onAppend: the listener");
    // Each registration is its own entry, so registering one function twice is undone one at a time.
    const entry: AppendListener = (runId, seq, type) => listener(runId, seq, type);
    this.#append.add(entry);
    return () => {
      this.#append.delete(entry);
    };
  }

  onResync(listener: () => void): () => void {
    checkFunction(listener, "onResync: the listener");
    const entry = () => listener();
    this.#resync.add(entry);
    return () => {
      this.#resync.delete(entry);
    };
  }

  onStream(listener: StreamListener): () => void {
    checkFunction(listener, "streams.subscribe: the listener");
    const entry: StreamListener = (runId, namespace) => listener(runId, namespace);
    this.#stream.add(entry);
    return () => {
      this.#stream.delete(entry);
    };
  }

  streamChanged(runId: string, namespace: string): void {
    for (const listener of this.#stream) this.#call(() => listener(runId, namespace), "stream listener");
  }

  appended(runId: string, seq: number, type: EventType | undefined): void {
    for (const listener of this.#append) this.#call(() => listener(runId, seq, type), "onAppend listener");
  }

  resynced(): void {
    for (const listener of this.#resync) this.#call(listener, "onResync listener");
  }

  clear(): void {
    this.#append.clear();
    this.#resync.clear();
    this.#stream.clear();
  }

  #call(listener: () => void, where: string): void {
    try {
      listener();
    } catch (error) {
      this.#report(error, where);
    }
  }
}
