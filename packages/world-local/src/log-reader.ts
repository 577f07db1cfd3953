/**
 * A run's log read forward from a seq: a sealed block in one read where a block starts
 * (segments.ts), event files elsewhere. Seqs are contiguous, so the first missing event file
 * ends the log. A whole block read from its files is sealed on the way, for the next reader.
 */
import { type WorkflowEvent, WorldError } from "@hookline/core/world";
import { eventKey } from "./keys.js";
import { SEGMENT_EVENTS, type Segments } from "./segments.js";
import type { Store } from "./store.js";

export async function readLog(
  store: Store,
  segments: Segments,
  runId: string,
  afterSeq: number,
): Promise<WorkflowEvent[]> {
  const events: WorkflowEvent[] = [];
  // A whole log is read without a stat per event: all but its last read find one.
  const expected = afterSeq === 0 ? { present: true } : undefined;
  /** The texts of the block being read from its files, when the read began at its start. */
  let block: string[] | null = null;
  for (let seq = afterSeq + 1; ; seq++) {
    const offset = (seq - 1) % SEGMENT_EVENTS;
    if (offset === 0) {
      const sealed = await segments.read(runId, seq);
      if (sealed) {
        for (const event of sealed) events.push(event);
        seq += SEGMENT_EVENTS - 1;
        continue;
      }
      block = [];
    }
    const key = eventKey(runId, seq);
    const text = await store.readText(key, expected);
    if (text === null) return events;
    events.push(parse(text, key));
    block?.push(text);
    if (block && offset === SEGMENT_EVENTS - 1) {
      await segments.seal(runId, seq - offset, block);
      block = null;
    }
  }
}

function parse(text: string, key: string): WorkflowEvent {
  try {
    return JSON.parse(text) as WorkflowEvent;
  } catch (error) {
    throw new WorldError(`Local world: ${key} does not hold valid JSON (was it edited by hand?).`, { cause: error });
  }
}
