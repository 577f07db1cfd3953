/**
 * Cron expressions in a timezone (host/cron.ts): errors that name the field and its position,
 * ticks across Europe/Berlin's daylight-saving changes, and the latest tick of a long gap.
 */
import { describe, expect, test } from "vitest";
import { CronSchedule } from "../src/host/cron.js";
import { InvalidArgumentError } from "../src/shared/errors.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function ticks(schedule: CronSchedule, fromIso: string, count: number): string[] {
  const out: string[] = [];
  let t = at(fromIso);
  for (let i = 0; i < count; i++) {
    t = schedule.nextAfter(t)!;
    out.push(iso(t)!);
  }
  return out;
}

function refusal(cron: unknown, timezone: unknown): string {
  try {
    CronSchedule.parse(cron, timezone, 'schedule "daily"');
  } catch (error) {
    expect(InvalidArgumentError.is(error), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(cron)} in ${JSON.stringify(timezone)} was accepted`);
}

describe("cron expressions", () => {
  test("an expression that does not parse is refused, naming the field, its position and the schedule", () => {
    expect(refusal("61 * * * *", "UTC")).toMatch(
      /^schedule "daily": cron "61 \* \* \* \*": field 1 \(minute\) "61" at position 1 is invalid: Invalid value for minute: 61/,
    );
    expect(refusal("0 9 * * 1-8", "UTC")).toMatch(
      /field 5 \(day of week\) "1-8" at position 9 is invalid: Invalid value for dayOfWeek: 8/,
    );
    expect(refusal("0 25 * * *", "UTC")).toMatch(/field 2 \(hour\) "25" at position 3/);
    expect(refusal("0 0 9 * * MON-FUN", "UTC")).toMatch(/field 6 \(day of week\) "MON-FUN" at position 11/);
    expect(refusal("* * *", "UTC")).toMatch(
      /has 3 fields; it needs 5 \(minute hour day-of-month month day-of-week\) or 6/,
    );
    expect(refusal("0 0 1 1 * 2030", "UTC")).toMatch(/field 6 \(day of week\) "2030"/);
    expect(refusal("", "UTC")).toMatch(/cron must be a cron expression such as "0 9 \* \* 1-5", got string ""/);
    expect(refusal(9, "UTC")).toMatch(/got number 9/);
    expect(refusal("0 9 31 2 *", "UTC")).toMatch(/never matches a date/);
    // 6 fields: seconds first.
    expect(ticks(CronSchedule.parse("*/20 * * * * *", "UTC", "x"), "2026-12-07T10:00:05Z", 2)).toEqual([
      "2026-12-07T10:00:20.000Z",
      "2026-12-07T10:00:40.000Z",
    ]);
  });

  test("an unknown timezone is refused, naming it; a known one is spelled as Intl spells it", () => {
    expect(refusal("0 9 * * *", "Mars/Olympus")).toMatch(
      /^schedule "daily": unknown timezone "Mars\/Olympus". Use an IANA timezone name/,
    );
    expect(refusal("0 9 * * *", "")).toMatch(/timezone must be an IANA timezone name/);
    expect(CronSchedule.parse("0 9 * * *", "europe/berlin", "x").timezone).toBe("Europe/Berlin");
  });

  test("weekdays at 9 in Berlin are 8:00 UTC in winter and 7:00 UTC in summer", () => {
    const schedule = CronSchedule.parse("0 9 * * 1-5", "Europe/Berlin", "x");
    expect(ticks(schedule, "2026-12-04T12:00:00Z", 2)).toEqual([
      "2026-12-07T08:00:00.000Z",
      "2026-12-08T08:00:00.000Z",
    ]);
    expect(ticks(schedule, "2026-07-03T12:00:00Z", 1)).toEqual(["2026-07-06T07:00:00.000Z"]);
  });

  test("spring forward in Berlin (29 March 2026, 02:00 → 03:00): 02:30 does not exist and runs at 03:30 CEST, once", () => {
    const schedule = CronSchedule.parse("30 2 * * *", "Europe/Berlin", "x");
    expect(ticks(schedule, "2026-03-27T12:00:00Z", 4)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:30:00.000Z", // 03:30 CEST: the skipped 02:30, an hour later
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
    // Half-hourly: the skipped 02:00 and 02:30 fall on 03:00 and 03:30, which run once each.
    const halfHourly = CronSchedule.parse("*/30 * * * *", "Europe/Berlin", "x");
    expect(ticks(halfHourly, "2026-03-29T00:15:00Z", 4)).toEqual([
      "2026-03-29T00:30:00.000Z", // 01:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
      "2026-03-29T01:30:00.000Z", // 03:30 CEST
      "2026-03-29T02:00:00.000Z", // 04:00 CEST
    ]);
  });

  test("fall back in Berlin (25 October 2026, 03:00 → 02:00): 02:30 happens twice and runs at its first occurrence only", () => {
    const schedule = CronSchedule.parse("30 2 * * *", "Europe/Berlin", "x");
    expect(ticks(schedule, "2026-10-23T12:00:00Z", 3)).toEqual([
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first 02:30; not 01:30Z (02:30 CET) as well
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
    // The latest tick of a window holding both 02:30s is the first one: the repeated hour adds no tick.
    expect(iso(schedule.latestBetween(at("2026-10-24T12:00:00Z"), at("2026-10-25T02:00:00Z")))).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  test("the latest tick of a long gap: one step for a yearly schedule, a per-second one, and none in an empty window", () => {
    const yearly = CronSchedule.parse("0 0 1 1 *", "UTC", "x");
    expect(iso(yearly.latestBetween(at("2020-06-01T00:00:00Z"), at("2026-12-07T00:00:00Z")))).toBe(
      "2026-01-01T00:00:00.000Z",
    );
    const everySecond = CronSchedule.parse("* * * * * *", "UTC", "x");
    expect(iso(everySecond.latestBetween(at("2026-12-01T00:00:00Z"), at("2026-12-07T10:11:12.500Z")))).toBe(
      "2026-12-07T10:11:12.000Z",
    );
    const daily = CronSchedule.parse("0 9 * * *", "Europe/Berlin", "x");
    expect(daily.latestBetween(at("2026-12-07T08:00:00Z"), at("2026-12-07T12:00:00Z"))).toBeNull();
    expect(iso(daily.latestBetween(at("2026-12-07T07:59:59Z"), at("2026-12-07T08:00:00Z")))).toBe(
      "2026-12-07T08:00:00.000Z",
    );
  });
});
