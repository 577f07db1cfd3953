/**
 * A cron expression in a timezone, checked once and asked for ticks: the next tick after a time,
 * and the latest tick in a window (for ticks missed while no instance ran). Parsing and the
 * calendar (days of month, daylight-saving changes) are croner's; this file adds errors that name
 * the field and its position, and tick arithmetic that never trusts croner to move forward.
 *
 * Daylight saving, as croner computes wall times: a time the clocks skip (02:30 on the spring
 * change in Europe/Berlin) runs one hour later (03:30), once; a time that happens twice (02:30 on
 * the autumn change) runs at its first occurrence only.
 */
import { Cron } from "croner";
import { InvalidArgumentError } from "../shared/errors.js";

/** The fields of a 6-part expression; a 5-part one starts at "minute". */
const FIELDS = ["second", "minute", "hour", "day of month", "month", "day of week"] as const;

export class CronSchedule {
  readonly cron: string;
  /** The IANA name, as Intl spells it (e.g. "Europe/Berlin" for "europe/berlin"). */
  readonly timezone: string;
  readonly #cron: Cron;

  private constructor(cron: string, timezone: string, compiled: Cron) {
    this.cron = cron;
    this.timezone = timezone;
    this.#cron = compiled;
  }

  /**
   * Checks `cron` (5 fields, or 6 with seconds first) and `timezone`; an InvalidArgumentError
   * names the field, its position and what is wrong. `where` prefixes messages (e.g. `schedule "daily"`).
   */
  static parse(cron: unknown, timezone: unknown, where: string): CronSchedule {
    const zone = checkTimezone(timezone, where);
    if (typeof cron !== "string" || cron.trim().length === 0) {
      throw new InvalidArgumentError(
        `${where}: cron must be a cron expression such as "0 9 * * 1-5", got ${describeValue(cron)}.`,
      );
    }
    let compiled: Cron;
    try {
      compiled = new Cron(cron, { timezone: zone, paused: true, mode: "5-or-6-parts" });
    } catch (error) {
      throw new InvalidArgumentError(`${where}: ${explainCronError(cron, error)}`);
    }
    const schedule = new CronSchedule(cron, zone, compiled);
    if (schedule.nextAfter(Date.now()) === null) {
      throw new InvalidArgumentError(
        `${where}: cron ${JSON.stringify(cron)} never matches a date (e.g. "0 9 31 2 *", February 31st).`,
      );
    }
    return schedule;
  }

  /** The first tick strictly after `ms` (ticks fall on whole seconds), or null if there is none. */
  nextAfter(ms: number): number | null {
    let from = ms;
    // croner's walk from a wall time can land on or before its start around a DST change: step past it.
    for (let tries = 0; tries < 4; tries++) {
      const next = this.#cron.nextRun(new Date(from))?.getTime() ?? null;
      if (next === null || next > ms) return next;
      from = Math.max(from, next) + 1000;
    }
    return null;
  }

  /**
   * The latest tick `t` with `after < t <= atOrBefore`, or null. Looks back in windows that grow
   * fourfold from one second, so a per-second schedule and a yearly one both take a few steps.
   */
  latestBetween(after: number, atOrBefore: number): number | null {
    if (atOrBefore <= after) return null;
    for (let width = 1000; ; width *= 4) {
      const start = Math.max(after, atOrBefore - width);
      const first = this.nextAfter(start);
      if (first !== null && first <= atOrBefore) {
        let last = first;
        for (;;) {
          const next = this.nextAfter(last);
          if (next === null || next > atOrBefore) return last;
          last = next;
        }
      }
      if (start === after) return null;
    }
  }
}

/** A timezone Intl knows, as it spells it; InvalidArgumentError otherwise. */
export function checkTimezone(timezone: unknown, where: string): string {
  if (typeof timezone !== "string" || timezone.length === 0) {
    throw new InvalidArgumentError(
      `${where}: timezone must be an IANA timezone name such as "Europe/Berlin" or "UTC", got ${describeValue(timezone)}.`,
    );
  }
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidArgumentError(
      `${where}: unknown timezone ${JSON.stringify(timezone)}. Use an IANA timezone name such as "Europe/Berlin", "America/New_York" or "UTC".`,
    );
  }
}

/**
 * croner's message, with the field that fails and where it starts: each field is tried alone
 * (the others "*"), so the message points at the first field that is wrong by itself.
 */
function explainCronError(cron: string, error: unknown): string {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  const parts = [...cron.matchAll(/\S+/g)];
  if (parts.length < 5 || parts.length > 6) {
    return `cron ${JSON.stringify(cron)} has ${parts.length} field${parts.length === 1 ? "" : "s"}; it needs 5 (minute hour day-of-month month day-of-week) or 6 (a second first).`;
  }
  const names = parts.length === 6 ? FIELDS : FIELDS.slice(1);
  for (const [i, part] of parts.entries()) {
    const alone = parts.map((p, j) => (j === i ? p[0] : "*")).join(" ");
    try {
      new Cron(alone, { paused: true, mode: "5-or-6-parts" });
    } catch (fieldError) {
      const why = (fieldError instanceof Error ? fieldError.message : String(fieldError)).replace(/^CronPattern: /, "");
      return `cron ${JSON.stringify(cron)}: field ${i + 1} (${names[i]}) ${JSON.stringify(part[0])} at position ${(part.index ?? 0) + 1} is invalid: ${why}`;
    }
  }
  return `cron ${JSON.stringify(cron)} is invalid: ${reason}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  return typeof value === "string" ? `string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}
