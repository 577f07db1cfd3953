/**
 * Step executions read back from run logs, for counting how many runs executed steps at once:
 * each attempt spans its step_started to the step_completed or step_failed that follows it.
 */
import type { World } from "../../src/world/world.js";

export interface StepInterval {
  runId: string;
  start: number;
  /** When the attempt ended; `openEnd` for an attempt that never did (its process was killed). */
  end: number;
}

/** Every step attempt of `runIds`; an attempt with no outcome ends at `openEnd` (default: never). */
export async function stepIntervals(
  world: World,
  runIds: string[],
  openEnd = Number.POSITIVE_INFINITY,
): Promise<StepInterval[]> {
  const intervals: StepInterval[] = [];
  for (const runId of runIds) {
    const open = new Map<string, number>();
    for (const event of await world.readEvents(runId)) {
      if (event.type === "step_started") {
        if (open.has(event.corr!)) intervals.push({ runId, start: open.get(event.corr!)!, end: openEnd });
        open.set(event.corr!, event.at);
      } else if ((event.type === "step_completed" || event.type === "step_failed") && open.has(event.corr!)) {
        intervals.push({ runId, start: open.get(event.corr!)!, end: event.at });
        open.delete(event.corr!);
      }
    }
    for (const start of open.values()) intervals.push({ runId, start, end: openEnd });
  }
  return intervals;
}

/** The most distinct runs whose intervals overlap at one instant (an end at the instant of a start is no overlap). */
export function maxOverlap(intervals: StepInterval[]): number {
  let most = 0;
  for (const at of intervals) {
    const runs = new Set(intervals.filter((i) => i.start <= at.start && at.start < i.end).map((i) => i.runId));
    most = Math.max(most, runs.size);
  }
  return most;
}
