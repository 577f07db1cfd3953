/**
 * The concurrency slots this runtime holds for its runs (start({ concurrency })): asks the world
 * for a slot, keeps the leases of the slots it holds alive while their runs execute steps, and
 * gives them back. A run not granted a slot is woken by the world when it gets one; it is also
 * woken when the earliest holder's lease would end, so a slot of a killed process comes back.
 */
import { randomBytes } from "node:crypto";
import type { World } from "../world/world.js";

export interface Concurrency {
  key: string;
  limit: number;
}

export class ConcurrencySlots {
  /** This runtime, as the owner of the slots it holds. */
  readonly owner = `runtime-${randomBytes(8).toString("hex")}`;
  readonly #world: World;
  readonly #report: (error: unknown, where: string) => void;
  /** run id → key of the slot held. */
  readonly #held = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;

  constructor(world: World, report: (error: unknown, where: string) => void) {
    this.#world = world;
    this.#report = report;
  }

  /** Whether the run holds a slot now; if not, it is in line and will be woken. */
  async acquire(runId: string, { key, limit }: Concurrency): Promise<boolean> {
    const answer = await this.#world.slots.acquire({ key, limit, runId, owner: this.owner });
    if (answer.granted) {
      this.#held.set(runId, key);
      this.#renewing();
      return true;
    }
    if (answer.retryInMs !== null) {
      // Ask again when a holder's lease would run out (it is renewed meanwhile unless its process died).
      await this.#world.queue.enqueue({ runId }, { delayMs: answer.retryInMs + 1, key: `slot-retry:${runId}` });
    }
    return false;
  }

  /** Whether this runtime holds the run's slot (false once its lease was found lost). */
  holds(runId: string): boolean {
    return this.#held.has(runId);
  }

  /** Gives the run's slot back and takes it out of line (a run that ended or stopped executing steps). */
  async release(runId: string, key: string): Promise<void> {
    // Not renewed any more, even if the world cannot be told now: the lease then frees it.
    this.#held.delete(runId);
    await this.#world.slots.release(key, runId, this.owner);
  }

  /** Stops renewing: slots still held come back when their leases end. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#held.clear();
  }

  #renewing(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, this.#world.slots.leaseMs / 3));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0) {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      return;
    }
    const held = [...this.#held].map(([runId, key]) => ({ key, runId }));
    try {
      const lost = await this.#world.slots.renew(this.owner, held);
      for (const slot of lost) {
        if (this.#held.get(slot.runId) !== slot.key) continue;
        this.#held.delete(slot.runId);
        this.#report(
          new Error(
            `The concurrency slot of run ${slot.runId} (key ${JSON.stringify(slot.key)}) was lost: its lease ran out before it was renewed.`,
          ),
          "renewing concurrency slots",
        );
      }
    } catch (error) {
      this.#report(error, "renewing concurrency slots");
    }
  }
}

/**
 * One run's slot. A run holds it for an active stretch: from its first step until nothing is left
 * to execute (it sleeps, waits on a hook or a retry's backoff, or ends), so a run with several
 * steps in a row keeps its slot between them instead of going back in line after each.
 */
export class RunSlot {
  readonly #slots: ConcurrencySlots;
  readonly #runId: string;
  readonly #concurrency: Concurrency;
  /**
   * waiting: in line (the world wakes the run when it gets the slot); unknown: not asked by this
   * process (after a restart it may still hold one from before), so it is given back when idle.
   */
  #state: "unknown" | "held" | "waiting" | "free" = "unknown";

  constructor(slots: ConcurrencySlots, runId: string, concurrency: Concurrency) {
    this.#slots = slots;
    this.#runId = runId;
    this.#concurrency = concurrency;
  }

  /** Whether a step may run now: the run holds its slot, or is granted it by this call. */
  async hold(): Promise<boolean> {
    // A slot whose lease was lost (the process stalled past it) is asked for again, not assumed.
    if (this.#state === "held" && this.#slots.holds(this.#runId)) return true;
    const granted = await this.#slots.acquire(this.#runId, this.#concurrency);
    this.#state = granted ? "held" : "waiting";
    return granted;
  }

  /** After a drive: gives the slot back unless a step runs or is due; in line, stays in line unless the run ended. */
  async releaseIfIdle(ended: boolean, busy: boolean): Promise<void> {
    if (this.#state === "free" || (!ended && (busy || this.#state === "waiting"))) return;
    await this.release();
  }

  async release(): Promise<void> {
    if (this.#state === "free") return;
    this.#state = "free";
    await this.#slots.release(this.#runId, this.#concurrency.key);
  }
}
