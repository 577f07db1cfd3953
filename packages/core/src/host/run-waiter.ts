/**
 * Waiting for a run's events: its end (Run.returnValue) and a step's answer to a "manual"
 * webhook request. One subscription to the world's append notifications serves every waiter, in
 * this process and for appends made by other instances; a notification is read only when
 * someone waits on that run for that type of event. Waiters are registered before the world is
 * read, so nothing appended in between is missed, and removed as they settle: an ended run
 * leaves nothing behind, and no timer keeps a process alive (a response's deadline is unref'd).
 */
import { WorldError } from "../shared/errors.js";
import { type EventOf, type EventType, TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import { readRunEnd } from "./run-end-reader.js";

/** What reading the world found: settle with `event` (undefined: settle without one), or null: keep waiting. */
type Found = { event: WorkflowEvent | undefined } | null;

interface Waiter {
  readonly types: ReadonlySet<EventType>;
  match(event: WorkflowEvent): boolean;
  settle(outcome: WorkflowEvent | undefined | Error): void;
  /** Reads the world again (after notifications may have been lost). */
  recheck(): void;
}

export interface ResponseWatch {
  /** The step's answer; undefined after `timeoutMs`, or once the run ended without answering. */
  readonly response: Promise<EventOf<"webhook_responded"> | undefined>;
  /** Stops waiting (resolves `response` with undefined). */
  cancel(): void;
}

const RESPONSE_OR_END: ReadonlySet<EventType> = new Set<EventType>(["webhook_responded", ...TERMINAL_RUN_EVENTS]);

export class RunWaiter {
  readonly #world: World;
  readonly #report: (error: unknown, where: string) => void;
  readonly #byRun = new Map<string, Set<Waiter>>();
  readonly #unsubscribe: Array<() => void> = [];
  #closed = false;

  constructor(world: World, report: (error: unknown, where: string) => void) {
    this.#world = world;
    this.#report = report;
    this.#unsubscribe.push(world.onAppend((runId, seq, type) => this.#heard(runId, seq, type)));
    const resync = world.onResync?.(() => {
      for (const waiters of this.#byRun.values()) for (const waiter of waiters) waiter.recheck();
    });
    if (resync) this.#unsubscribe.push(resync);
  }

  /** Waiters not yet settled (for tests and diagnostics). */
  get pending(): number {
    let count = 0;
    for (const waiters of this.#byRun.values()) count += waiters.size;
    return count;
  }

  /** The run's terminal event, once there is one; RunNotFoundError if there is no such run. */
  waitForEnd(runId: string): Promise<WorkflowEvent> {
    return new Promise((resolve, reject) => {
      const find = () => this.#endFromWorld(runId);
      this.#add(runId, {
        types: TERMINAL_RUN_EVENTS,
        match: () => true,
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome!)),
        find,
      });
    });
  }

  /**
   * The first webhook_responded for `requestId`. With `fresh` (a request just recorded here,
   * watched before its append) the world is not read first: no answer can exist yet.
   */
  watchResponse(runId: string, requestId: string, timeoutMs: number, { fresh = false } = {}): ResponseWatch {
    let cancel = () => {};
    const response = new Promise<EventOf<"webhook_responded"> | undefined>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = this.#add(runId, {
        types: RESPONSE_OR_END,
        match: (event) => event.type !== "webhook_responded" || event.data.requestId === requestId,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome instanceof Error || outcome?.type !== "webhook_responded" ? undefined : outcome);
        },
        find: fresh ? null : () => this.#responseFromWorld(runId, requestId),
      });
      timer = setTimeout(() => this.#remove(runId, waiter, undefined), timeoutMs);
      timer.unref?.();
      cancel = () => this.#remove(runId, waiter, undefined);
    });
    return { response, cancel };
  }

  /** Unsubscribes; waiters still pending fail (an end) or get no answer (a response). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#unsubscribe.splice(0)) stop();
    const error = new WorldError("The Hookline runtime was closed while waiting for a run's event.");
    for (const [runId, waiters] of [...this.#byRun])
      for (const waiter of [...waiters]) this.#remove(runId, waiter, error);
  }

  // -- internals -------------------------------------------------------------------------------

  #add(runId: string, spec: Omit<Waiter, "recheck"> & { find: (() => Promise<Found>) | null }): Waiter {
    const waiter: Waiter = {
      types: spec.types,
      match: spec.match,
      settle: spec.settle,
      recheck: () => {
        spec
          .find?.()
          .then((found) => {
            if (found) this.#remove(runId, waiter, found.event);
          })
          .catch((error: unknown) =>
            this.#remove(runId, waiter, error instanceof Error ? error : new Error(String(error))),
          );
      },
    };
    if (this.#closed) {
      spec.settle(new WorldError("The Hookline runtime is closed."));
      return waiter;
    }
    const waiters = this.#byRun.get(runId) ?? new Set<Waiter>();
    this.#byRun.set(runId, waiters);
    waiters.add(waiter);
    waiter.recheck();
    return waiter;
  }

  #remove(runId: string, waiter: Waiter, outcome: WorkflowEvent | undefined | Error): void {
    const waiters = this.#byRun.get(runId);
    if (!waiters?.delete(waiter)) return;
    if (waiters.size === 0) this.#byRun.delete(runId);
    waiter.settle(outcome);
  }

  #heard(runId: string, seq: number, type: EventType | undefined): void {
    const waiters = this.#byRun.get(runId);
    if (!waiters || (type !== undefined && ![...waiters].some((w) => w.types.has(type)))) return;
    this.#world
      .readEvents(runId, seq - 1)
      .then((events) => {
        for (const event of events) {
          for (const waiter of [...(this.#byRun.get(runId) ?? [])]) {
            if (waiter.types.has(event.type) && waiter.match(event)) this.#remove(runId, waiter, event);
          }
        }
      })
      .catch((error: unknown) => this.#report(error, `reading run ${runId} after an append`));
  }

  async #endFromWorld(runId: string): Promise<Found> {
    const end = await readRunEnd(this.#world, runId);
    return end ? { event: end } : null;
  }

  async #responseFromWorld(runId: string, requestId: string): Promise<Found> {
    const answer = await this.#world.getResponse(runId, requestId);
    if (answer) return { event: answer };
    // A run that ended without answering never will (nothing is recorded for it after its end).
    const summary = await this.#world.getRun(runId);
    if (summary && !ended(summary.status)) return null;
    return { event: (await this.#world.getResponse(runId, requestId)) ?? undefined };
  }
}

const ended = (status: string) => status === "completed" || status === "failed" || status === "cancelled";
