/**
 * A run's end event as the world holds it, found without reading its whole log: the summary says
 * whether it ended, and the end is the last event but for a late answer or two, so a few events
 * are read back from the tail. Run.returnValue's waiter and a parent collecting its child's end use it.
 */
import { RunNotFoundError } from "../shared/errors.js";
import { type EventOf, TERMINAL_RUN_EVENTS } from "../world/events.js";
import type { World } from "../world/world.js";

export type RunEnd = EventOf<"run_completed"> | EventOf<"run_failed"> | EventOf<"run_cancelled">;

/** The run's terminal event; null while it runs; RunNotFoundError if there is no such run. */
export async function readRunEnd(world: Pick<World, "getRun" | "readEvents">, runId: string): Promise<RunEnd | null> {
  const summary = await world.getRun(runId);
  if (!summary) throw new RunNotFoundError(`No run with id "${runId}".`);
  if (summary.status !== "completed" && summary.status !== "failed" && summary.status !== "cancelled") return null;
  for (let back = 4; ; back *= 8) {
    const tail = await world.readEvents(runId, Math.max(0, summary.lastSeq - back));
    const end = tail.findLast((event) => TERMINAL_RUN_EVENTS.has(event.type));
    if (end) return end as RunEnd;
    if (back >= summary.lastSeq)
      throw new RunNotFoundError(`Run ${runId} is ${summary.status} but its log holds no end event.`);
  }
}
