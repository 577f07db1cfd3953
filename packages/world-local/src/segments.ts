/**
 * Sealed segments: a packed copy of each full block of SEGMENT_EVENTS events of a run's log
 * (seqs 1–256, 257–512, …), so a whole log reads in one file per block instead of one per event.
 *
 * Events never change once appended, so a segment never goes stale. The event files stay the
 * log: each append's exclusive create still decides its seq across processes, and nothing is
 * removed. A segment is created exclusively from a temp file, so it is whole or absent; the
 * process that appends a block's last event seals it in the background, and a process killed
 * before that leaves the block to the next whole-log read, which seals it from the event files
 * it has just read (log-reader.ts). A segment that does not hold exactly its block (edited by
 * hand, or torn by a driver without atomic writes) is reported, removed and read from the files.
 */
import type { WorkflowEvent } from "@hookline/core/world";
import { eventKey, segmentKey } from "./keys.js";
import type { Store } from "./store.js";

export const SEGMENT_EVENTS = 256;

export class Segments {
  readonly #store: Store;
  readonly #report: (error: unknown, where: string) => void;
  readonly #sealing = new Set<Promise<void>>();
  #closed = false;

  constructor(store: Store, report: (error: unknown, where: string) => void) {
    this.#store = store;
    this.#report = report;
  }

  /** The events of the block starting at `first` (1, 257, …), or null if it is not sealed. */
  async read(runId: string, first: number): Promise<WorkflowEvent[] | null> {
    const key = segmentKey(runId, first);
    const text = await this.#store.readText(key);
    if (text === null) return null;
    const events = parseBlock(text, runId, first);
    if (events) return events;
    this.#report(
      new Error(
        `${key} does not hold seqs ${first}–${first + SEGMENT_EVENTS - 1} of run ${runId}; reading its event files instead`,
      ),
      "reading a sealed segment",
    );
    await this.#store.remove(key).catch((error) => this.#report(error, `removing the damaged segment ${key}`));
    return null;
  }

  /** Seals the block starting at `first` from its events' texts, in seq order; a failure is reported, not thrown. */
  async seal(runId: string, first: number, texts: readonly string[]): Promise<void> {
    await this.#write(runId, first, texts).catch((error) =>
      this.#report(error, `sealing events ${first}–${first + texts.length - 1} of run ${runId}`),
    );
  }

  /** After `seq` was appended: if it ends a block, seals the block in the background, off the append's path. */
  appended(runId: string, seq: number): void {
    if (seq % SEGMENT_EVENTS !== 0 || this.#closed) return;
    const first = seq - SEGMENT_EVENTS + 1;
    const sealing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#sealFromFiles(runId, first))
      .catch((error) => this.#report(error, `sealing events ${first}–${seq} of run ${runId}`))
      .finally(() => this.#sealing.delete(sealing));
    this.#sealing.add(sealing);
  }

  /** Stops sealing after appends and waits for the seals under way. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#sealing]);
  }

  async #sealFromFiles(runId: string, first: number): Promise<void> {
    if (this.#closed || (await this.#store.has(segmentKey(runId, first)))) return;
    const texts: string[] = [];
    for (let seq = first; seq < first + SEGMENT_EVENTS; seq++) {
      const text = await this.#store.readText(eventKey(runId, seq), { present: true });
      // Appends are contiguous, so a block whose last event exists is whole.
      if (text === null) throw new Error(`event ${seq} is missing`);
      texts.push(text);
    }
    await this.#write(runId, first, texts);
  }

  async #write(runId: string, first: number, texts: readonly string[]): Promise<void> {
    if (texts.length !== SEGMENT_EVENTS) throw new Error(`a block holds ${SEGMENT_EVENTS} events, not ${texts.length}`);
    // Exclusive: a rival sealer's copy is the same bytes, so losing the race is fine.
    await this.#store.create(segmentKey(runId, first), `[${texts.join(",")}]`);
  }
}

/** The block's events if `text` holds exactly seqs first… of run `runId`; null otherwise. */
function parseBlock(text: string, runId: string, first: number): WorkflowEvent[] | null {
  let events: unknown;
  try {
    events = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(events) || events.length !== SEGMENT_EVENTS) return null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as WorkflowEvent | null;
    if (event?.seq !== first + i || event.runId !== runId) return null;
  }
  return events as WorkflowEvent[];
}
