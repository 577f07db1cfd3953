/**
 * The clock a test moves. `advance("30d")` walks through every wake-up due within the 30 days in
 * order, as a fake timer does: it sets the clock to the earliest one, lets the runs it wakes
 * settle (their next sleep is then measured from that moment), and goes on until none is left
 * before the target, which the clock then shows.
 *
 *   await hl.clock.advance("1d");           // the first day's sleep ends, the run does its next step
 *   hl.clock.now();                         // → a Date, one day after the test runtime started
 */
import { durationMs, type VirtualClock } from "./virtual-clock.js";

/** What the clock needs of the test runtime. */
export interface ClockPort {
  /** Waits until nothing is being handled or due now. */
  settle(): Promise<void>;
  /** When the next wake-up falls due (epoch ms), or null. */
  nextDueAt(): number | null;
}

export class TestClock {
  readonly #clock: VirtualClock;
  readonly #port: ClockPort;

  constructor(clock: VirtualClock, port: ClockPort) {
    this.#clock = clock;
    this.#port = port;
  }

  /** The virtual time. */
  now(): Date {
    return new Date(this.#clock.now());
  }

  /** Moves time forward by `duration` ("10s", "5m", "2h", "30d", or ms), firing what falls due on the way, in order. */
  async advance(duration: string | number): Promise<void> {
    await this.advanceTo(this.#clock.now() + durationMs(duration, "clock.advance()"));
  }

  /** Moves time forward to `target` (a Date or epoch ms; never back), firing what falls due on the way, in order. */
  async advanceTo(target: Date | number): Promise<void> {
    const to = typeof target === "number" ? target : target.getTime();
    if (!Number.isFinite(to)) throw new TypeError(`clock.advanceTo(): ${String(target)} is not a time.`);
    await this.#port.settle();
    for (;;) {
      const next = this.#port.nextDueAt();
      if (next === null || next > to) break;
      // Due yet not handed out: nothing consumes the queue (the runtime is closed).
      if (next <= this.#clock.now()) break;
      await this.jumpTo(next);
    }
    await this.jumpTo(to);
  }

  /** Sets the clock to `at` and waits for what falls due to settle (result() skipping to a run's next wake-up). */
  async jumpTo(at: number): Promise<void> {
    this.#clock.set(at);
    await this.#port.settle();
  }
}
