/** Durations as users write them: "10s", "5m", "2h", "1d", "250ms", "1.5h", a number of ms, or a Date. */
import { InvalidArgumentError } from "./errors.js";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
};
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|sec|s|min|m|hr|h|day|d|w)s?\s*$/i;

export type Duration = string | number | Date;

/** Milliseconds in `value`; `where` names the argument for the error message. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new InvalidArgumentError(`${where}: expected a duration of 0 ms or more, got ${value}.`);
  }
  if (typeof value === "string") {
    const match = PATTERN.exec(value);
    if (match) return Math.round(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
  }
  throw new InvalidArgumentError(
    `${where}: ${JSON.stringify(value)} is not a duration. Use milliseconds or a string like "10s", "5m", "2h", "1d".`,
  );
}

/** The absolute time (epoch ms) `value` points at, counted from `now`. */
export function resolveDeadline(value: Duration, now: number, where: string): number {
  if (typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Date]") {
    const time = (value as Date).getTime();
    if (Number.isNaN(time)) throw new InvalidArgumentError(`${where}: the Date is invalid.`);
    return time;
  }
  return now + parseDuration(value as string | number, where);
}
