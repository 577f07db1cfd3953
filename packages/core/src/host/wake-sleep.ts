/**
 * Ends a sleep now (the inspector's "Wake now", `wakeSleep()`, `run.wakeSleep()`): appends the
 * sleep's own `sleep_completed` early, marked `early: true`, and wakes the run. Replay treats it
 * as any recorded completion, so the workflow goes on exactly as if the time had passed; the
 * timer set for `until` later finds the sleep done and does nothing.
 *
 * Read run → find the sleep (its id is the `WaitInfo.id` of `run.waits()`) → append at the end of
 * the log; after a lost race, read what beat it: a completion of that sleep or the run's end
 * there makes the call a no-op (`false`), never a second completion.
 *
 *   await wakeSleep(world, runId, "o2"); // true: woken; false: it had already ended
 */
import { EventConflictError, InvalidArgumentError, RunNotFoundError } from "../shared/errors.js";
import { TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";

/** True when this call ended the sleep; false when it had ended already (or the run had). */
export async function wakeSleep(
  world: Pick<World, "readEvents" | "append">,
  runId: string,
  sleepId: string,
): Promise<boolean> {
  const events = await world.readEvents(runId, 0);
  if (events.length === 0) throw new RunNotFoundError(`wakeSleep(): no run with id "${runId}".`);
  if (!events.some((e) => e.type === "sleep_started" && e.corr === sleepId)) {
    throw new InvalidArgumentError(
      `wakeSleep(): run ${runId} has no sleep "${sleepId}" (a sleep's id is the \`id\` of a "sleep" entry in run.waits()).`,
    );
  }
  const over = (seen: WorkflowEvent[]) =>
    seen.some((e) => TERMINAL_RUN_EVENTS.has(e.type) || (e.type === "sleep_completed" && e.corr === sleepId));
  if (over(events)) return false;
  let expectedSeq = events.at(-1)!.seq;
  for (;;) {
    try {
      await world.append(
        runId,
        { type: "sleep_completed", corr: sleepId, at: Date.now(), data: { early: true } },
        { expectedSeq, wake: { key: `drive:${runId}` } },
      );
      return true;
    } catch (error) {
      if (!EventConflictError.is(error)) throw error;
      const newer = await world.readEvents(runId, expectedSeq);
      if (over(newer)) return false;
      expectedSeq = newer.at(-1)?.seq ?? expectedSeq;
    }
  }
}
