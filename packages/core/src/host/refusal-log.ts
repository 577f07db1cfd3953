/**
 * Refused deliveries to known webhooks, for the people debugging a provider: kept by the world
 * beside the run's log (never in it), without bodies, the token redacted. Identical refusals are
 * coalesced here first: the first of a kind is written at once, repeats within the next window
 * become one write with their count, so a sender hammering a URL costs at most one write per
 * window and kind, however fast it sends.
 */
import type { NewRefusal, World } from "../world/world.js";

export type Refusal = Omit<NewRefusal, "at" | "count">;

interface Window {
  pending: NewRefusal | null;
  timer: ReturnType<typeof setTimeout>;
}

export class RefusalLog {
  readonly #world: World;
  readonly #report: (error: unknown, where: string) => void;
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();
  readonly #writing = new Set<Promise<void>>();

  constructor(world: World, report: (error: unknown, where: string) => void, windowMs = 1_000) {
    this.#world = world;
    this.#report = report;
    this.#windowMs = windowMs;
  }

  note(refusal: Refusal, at = Date.now()): void {
    const key = [refusal.runId, refusal.hookId, refusal.status, refusal.reason, refusal.method].join("\u0000");
    const window = this.#windows.get(key);
    if (!window) {
      this.#write({ ...refusal, at, count: 1 });
      this.#open(key);
    } else if (window.pending) {
      window.pending = { ...refusal, at, count: window.pending.count + 1 };
    } else {
      window.pending = { ...refusal, at, count: 1 };
    }
  }

  /** Writes what the open windows hold and waits for every write. */
  async close(): Promise<void> {
    for (const [key, window] of this.#windows) {
      clearTimeout(window.timer);
      this.#windows.delete(key);
      if (window.pending) this.#write(window.pending);
    }
    await Promise.allSettled([...this.#writing]);
  }

  #open(key: string): void {
    const timer = setTimeout(() => {
      const window = this.#windows.get(key);
      this.#windows.delete(key);
      if (window?.pending) {
        this.#write(window.pending);
        this.#open(key);
      }
    }, this.#windowMs);
    timer.unref?.();
    this.#windows.set(key, { pending: null, timer });
  }

  #write(refusal: NewRefusal): void {
    const writing = this.#world
      .recordRefusal(refusal)
      .catch((error: unknown) =>
        this.#report(error, `recording a refused delivery (${refusal.status}) to run ${refusal.runId}`),
      )
      .finally(() => this.#writing.delete(writing));
    this.#writing.add(writing);
  }
}
