/**
 * The suspended runs a runtime keeps in memory: at most `max`, least recently used first out
 * (only idle ones), each opened from its log once even when asked for concurrently.
 */
import type { RunEnvironment } from "./run-environment.js";
import { WarmRun } from "./warm-run.js";

export class WarmRuns {
  readonly #env: RunEnvironment;
  readonly #max: number;
  readonly #runs = new Map<string, WarmRun>();
  readonly #opening = new Map<string, Promise<WarmRun | null>>();

  constructor(env: RunEnvironment, max: number) {
    this.#env = env;
    this.#max = max;
  }

  get size(): number {
    return this.#runs.size;
  }

  /** The run if it is in memory now (no replay). */
  peek(runId: string): WarmRun | undefined {
    return this.#runs.get(runId);
  }

  /** The run, replayed from its log first if needed; null if the world has no such run. */
  async get(runId: string): Promise<WarmRun | null> {
    const warm = this.#runs.get(runId);
    if (warm) {
      this.#runs.delete(runId);
      this.#runs.set(runId, warm);
      return warm;
    }
    let opening = this.#opening.get(runId);
    if (!opening) {
      opening = WarmRun.open(this.#env, runId).finally(() => this.#opening.delete(runId));
      this.#opening.set(runId, opening);
      const run = await opening;
      if (run) {
        this.#runs.set(runId, run);
        this.#evict();
      }
      return run;
    }
    return opening;
  }

  /** Forgets `run` (if it is still the one held), so the next get() replays it from its log. */
  drop(run: WarmRun): void {
    if (this.#runs.get(run.runId) === run) this.#runs.delete(run.runId);
  }

  /** Forgets every idle run (new code: they replay against it when they next wake). */
  dropIdle(): void {
    for (const [runId, run] of this.#runs) if (run.idle) this.#runs.delete(runId);
  }

  clear(): void {
    this.#runs.clear();
  }

  #evict(): void {
    if (this.#runs.size <= this.#max) return;
    for (const [runId, run] of this.#runs) {
      if (this.#runs.size <= this.#max) return;
      if (run.idle) this.#runs.delete(runId);
    }
  }
}
