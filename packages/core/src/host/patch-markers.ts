/**
 * The answers of a run's `patched(id)` calls. A marker (`patch_marked`, no operation number, so
 * adding a patch never shifts the calls after it) is recorded the first time code that has the
 * patch reaches it at the end of the log; then:
 *   - a log holding the marker answers true (the run went the new way);
 *   - code reaching the call while replaying events recorded after it answers false (the log
 *     passed this point on code without the patch);
 *   - code reaching it at the log's end answers true and records the marker, before anything else.
 * The first call's answer holds for the run's every later call with that id (as in Temporal).
 * Each answer is the same in every later replay: a true is backed by its marker (recorded before
 * any operation that followed it), a false by the events already recorded after that point.
 */
import type { NewEvent, WorkflowEvent } from "../world/events.js";

export class PatchMarkers {
  readonly #recorded = new Set<string>();
  readonly #toRecord = new Set<string>();
  /** Answered false in this replay: the first call decides. */
  readonly #passed = new Set<string>();

  /** Notes the markers in events read from the log (before they are applied). */
  note(events: WorkflowEvent[]): void {
    for (const event of events) if (event.type === "patch_marked") this.#recorded.add(event.data.patchId);
  }

  /** The answer to `patched(patchId)`; `atEnd`: no event recorded after the one being applied. */
  answer(patchId: string, atEnd: boolean): boolean {
    if (this.#recorded.has(patchId) || this.#toRecord.has(patchId)) return true;
    if (this.#passed.has(patchId)) return false;
    if (!atEnd) {
      this.#passed.add(patchId);
      return false;
    }
    this.#toRecord.add(patchId);
    return true;
  }

  /** A marker to record now, if any. */
  next(at: number): NewEvent | null {
    for (const patchId of this.#toRecord) return { type: "patch_marked", at, data: { patchId } };
    return null;
  }

  /** A marker was appended. */
  recorded(patchId: string): void {
    this.#recorded.add(patchId);
    this.#toRecord.delete(patchId);
  }
}
