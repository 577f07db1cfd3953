/**
 * Appending to a run's log from outside its drive (cancel, a hook payload, a webhook request):
 * compare-and-set at the end of the log, and after a lost race, read only the events that beat
 * it and try again. The world enforces what must hold at the moment of the append (a hook still
 * active, a dedupe key not seen), so a writer never reads the whole log to decide. A run warm
 * in this process is then driven in memory (direct-drives.ts); any other is woken by the queue.
 *
 *   const event = await log.append(runId, () => ({ type: "run_cancelled", at: Date.now(), data: {} }), {
 *     check: (newer) => (newer.some(isTerminal) ? "skip" : "ok"),
 *   });
 */
import { EventConflictError, RunNotFoundError } from "../shared/errors.js";
import type { NewEvent, WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import type { DirectDrives } from "./direct-drives.js";

export interface AppendAtEnd {
  /** Sees the events that beat a lost race; "skip" gives up quietly (append returns null), or throw. */
  check?: (newer: WorkflowEvent[]) => "ok" | "skip";
}

/** Runs whose log end this process remembers (most recently appended to). */
const REMEMBERED = 10_000;

export class RunLog {
  readonly #world: World;
  readonly #knownEnd: (runId: string) => number | undefined;
  /** The last seq heard of per run: deliveries arriving faster than a run is driven start from here, not from the run's replay position. */
  readonly #ends = new Map<string, number>();
  readonly #unsubscribe: () => void;
  readonly #direct: DirectDrives | null;

  /**
   * `knownEnd`: where this process knows a run's log ends (a run it holds warm), to skip a read.
   * `direct`: drives runs warm here in memory after an append (none: every append wakes through the queue).
   */
  constructor(world: World, knownEnd: (runId: string) => number | undefined, direct: DirectDrives | null = null) {
    this.#world = world;
    this.#knownEnd = knownEnd;
    this.#direct = direct;
    this.#unsubscribe = world.onAppend((runId, seq) => this.#heard(runId, seq));
  }

  close(): void {
    this.#unsubscribe();
    this.#ends.clear();
  }

  /** Appends `make()` at the end of the run's log (and wakes the run); null if `check` skipped it. */
  async append(runId: string, make: () => NewEvent, options: AppendAtEnd = {}): Promise<WorkflowEvent | null> {
    const known = Math.max(this.#knownEnd(runId) ?? 0, this.#ends.get(runId) ?? 0);
    let expectedSeq = known > 0 ? known : (await this.#world.getRun(runId))?.lastSeq;
    if (expectedSeq === undefined) throw new RunNotFoundError(`No run with id "${runId}".`);
    const direct = this.#direct?.reserve(runId) ?? null;
    for (;;) {
      try {
        // Keyed: while a drive of the run waits undelivered, it will read this event too, so a
        // burst of deliveries to one run costs one queue message, not one each.
        const event = await this.#world.append(runId, make(), {
          expectedSeq,
          wake: direct?.wake ?? { key: `drive:${runId}` },
        });
        direct?.drive(event);
        return event;
      } catch (error) {
        if (!EventConflictError.is(error)) throw error;
        const newer = await this.#world.readEvents(runId, expectedSeq);
        if (options.check?.(newer) === "skip") return null;
        expectedSeq = newer.at(-1)?.seq ?? expectedSeq;
      }
    }
  }

  #heard(runId: string, seq: number): void {
    const known = this.#ends.get(runId);
    if (known !== undefined && known >= seq) return;
    this.#ends.delete(runId);
    this.#ends.set(runId, seq);
    if (this.#ends.size > REMEMBERED) this.#ends.delete(this.#ends.keys().next().value!);
  }
}
