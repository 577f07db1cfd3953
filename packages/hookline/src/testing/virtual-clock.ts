/**
 * The virtual clock of a test runtime. Time stands still unless the test moves it: while the
 * clock is installed, `Date.now()` and `new Date()` read it everywhere in the process (the
 * runtime, the world, step code, the test itself), so a step's timestamps and a sleep's deadline
 * agree. Timers (`setTimeout`) stay real: only what reads the date is virtual.
 */
import { parseDuration } from "@hookline/core/runtime";

const RealDate = Date;
const INSTALLED = Symbol.for("hookline.testing.clock");

type Installed = { [INSTALLED]?: VirtualClock };

export class VirtualClock {
  #now: number;
  readonly #listeners = new Set<() => void>();

  constructor(start: number) {
    this.#now = start;
  }

  /** The virtual time, ms since the epoch. */
  now(): number {
    return this.#now;
  }

  /** Moves the clock to `at` (never back) and tells the queue, which delivers what fell due. */
  set(at: number): void {
    if (at <= this.#now) return;
    this.#now = at;
    for (const listener of this.#listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Makes `Date` read this clock until `uninstall()`; one clock at a time per process. */
  install(): void {
    const global = globalThis as typeof globalThis & Installed;
    const other = global[INSTALLED];
    if (other && other !== this) {
      throw new Error(
        "hookline/testing: another test runtime is still open in this test file. Close it first (`afterEach(() => hl.close())`): the virtual clock is one per process.",
      );
    }
    global[INSTALLED] = this;
    globalThis.Date = virtualDate(() => this.#now);
  }

  uninstall(): void {
    const global = globalThis as typeof globalThis & Installed;
    if (global[INSTALLED] !== this) return;
    delete global[INSTALLED];
    globalThis.Date = RealDate;
  }
}

/**
 * A `Date` whose current time is `now()`: `Date.now()`, `new Date()` and `Date()` read it; every
 * other form is the real `Date`'s. It shares the real prototype, so `instanceof Date` holds for
 * dates made before, after and by Node itself, and subclasses keep working.
 */
function virtualDate(now: () => number): DateConstructor {
  function VirtualDate(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new RealDate(now()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target) as Date;
  }
  Object.setPrototypeOf(VirtualDate, RealDate);
  Object.defineProperty(VirtualDate, "prototype", { value: RealDate.prototype, writable: false });
  Object.defineProperty(VirtualDate, "now", { value: now, writable: true, configurable: true });
  return VirtualDate as unknown as DateConstructor;
}

/** How far `advance(duration)` moves: "30d", "5m", "1.5h" or milliseconds, as `sleep()` takes them. */
export function durationMs(duration: string | number, where: string): number {
  return parseDuration(duration, where);
}
