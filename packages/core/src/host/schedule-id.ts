/**
 * Schedule ids and the queue's name for a schedule's timer. A timer is a queue message whose
 * "run id" is `wsch_` + the id in base64url: a name every world accepts as a key segment, and
 * which gives the id back without a lookup.
 */
import { InvalidArgumentError } from "../shared/errors.js";

export const TIMER_PREFIX = "wsch_";
const MAX_ID_BYTES = 128;

export function checkScheduleId(id: unknown, where: string): string {
  if (typeof id !== "string" || id.length === 0 || Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw new InvalidArgumentError(
      `${where}: id must be a string of 1 to ${MAX_ID_BYTES} bytes, got ${typeof id === "string" ? JSON.stringify(id.slice(0, 40)) : typeof id}.`,
    );
  }
  return id;
}

export function timerId(scheduleId: string): string {
  return TIMER_PREFIX + Buffer.from(scheduleId).toString("base64url");
}

/** The schedule id of a timer's run id, or null for a real run's id. */
export function scheduleIdOfTimer(runId: string): string | null {
  return runId.startsWith(TIMER_PREFIX) ? Buffer.from(runId.slice(TIMER_PREFIX.length), "base64url").toString() : null;
}

/** The idempotency key of a tick's run: one run per schedule and tick, whoever starts it. */
export function tickKey(scheduleId: string, tick: number): string {
  return `schedule:${scheduleId}:${new Date(tick).toISOString()}`;
}
