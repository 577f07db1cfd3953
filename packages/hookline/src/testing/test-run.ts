/**
 * A run started in a test, with what a test asks of it: its result (skipping virtual time to its
 * wake-ups as needed), the hook or sleep it waits in, its events. Waiting never hangs: once the
 * runtime has settled, a run that is not where the test expects it cannot get there without the
 * test's help, and the error says where it is instead.
 *
 *   const run = await hl.start(drip, ["ann@example.com"]);
 *   expect(await run.result()).toEqual({ sent: 30 });   // 30 days of sleeps, skipped
 */
import { HooklineError, type Run, type WaitInfo, type WorkflowEvent } from "@hookline/core/api";
import type { RunStatus } from "@hookline/core/world";
import type { TestHook } from "./test-hook.js";

/** What a run handle needs of the test runtime. */
export interface TestRunPort {
  settle(): Promise<void>;
  /** Sets the clock to the next wake-up of one of `runIds` and settles; false when none is set. */
  skipToNextWakeUp(runIds: ReadonlySet<string>): Promise<boolean>;
  /** The run and the child runs it started, and theirs. */
  family(runId: string): Promise<Set<string>>;
  findHook(match: HookMatch & { runId: string }): Promise<TestHook | undefined>;
}

export interface HookMatch {
  /** The hook's token (a chosen one, e.g. `approval:42`). */
  token?: string;
  kind?: "hook" | "webhook";
}

export interface SleepInfo {
  /** The sleep's operation id in its run (what `run.wakeSleep(id)` takes). */
  id: string;
  since: Date;
  until: Date;
}

/** More clock jumps than this in one result() is a run that never ends (a loop of sleeps, a retried failure). */
const MAX_JUMPS = 10_000;

export class TestRun<T = unknown> {
  readonly runId: string;
  /** The run as hookline/api's start() returns it (returnValue, getReadable(), wakeSleep() …). */
  readonly handle: Run<T>;
  readonly #port: TestRunPort;

  constructor(handle: Run<T>, port: TestRunPort) {
    this.runId = handle.runId;
    this.handle = handle;
    this.#port = port;
  }

  async status(): Promise<RunStatus> {
    await this.#port.settle();
    return this.handle.status;
  }

  /** The run's event log, in order, once the runtime has settled. */
  async events(): Promise<WorkflowEvent[]> {
    await this.#port.settle();
    return this.handle.events();
  }

  /** The sleeps and hooks the run waits in now. */
  async waits(): Promise<WaitInfo[]> {
    await this.#port.settle();
    return this.handle.waits();
  }

  /**
   * The workflow's return value. While the run (or a child it waits for) sleeps, retries a step
   * or waits on a hook with a timeout, the clock skips to that wake-up, as Temporal's
   * time-skipping test environment does; a run left waiting on a hook only the test can answer
   * fails with an error naming the hook. Rejects as `run.returnValue` does (WorkflowRunFailedError …).
   */
  async result(): Promise<T> {
    for (let jumps = 0; ; jumps++) {
      await this.#port.settle();
      const status = await this.handle.status;
      if (status === "completed" || status === "failed" || status === "cancelled") return this.handle.returnValue;
      if (jumps >= MAX_JUMPS)
        throw new HooklineError(
          `hookline/testing: run ${this.runId} did not end after ${MAX_JUMPS} wake-ups: does it loop forever?`,
        );
      if (!(await this.#port.skipToNextWakeUp(await this.#port.family(this.runId)))) throw await this.#stuck("end");
    }
  }

  /** The first active hook of this run matching `match`, once the runtime has settled. */
  async waitForHook(match: HookMatch = {}): Promise<TestHook> {
    await this.#port.settle();
    const hook = await this.#port.findHook({ ...match, runId: this.runId });
    if (hook) return hook;
    const described = [
      match.kind ?? "hook",
      match.token === undefined ? "" : ` with token ${JSON.stringify(match.token)}`,
    ].join("");
    throw await this.#stuck(`a ${described}`);
  }

  /** The sleep the run is in, once the runtime has settled. */
  async waitForSleep(): Promise<SleepInfo> {
    const sleep = (await this.waits()).find((wait) => wait.kind === "sleep");
    if (sleep?.until) return { id: sleep.id, since: sleep.since, until: sleep.until };
    throw await this.#stuck("a sleep");
  }

  async cancel(reason?: string): Promise<void> {
    await this.handle.cancel(reason);
    await this.#port.settle();
  }

  async #stuck(what: string): Promise<Error> {
    const status = await this.handle.status;
    const waits = status === "running" || status === "pending" ? await this.handle.waits() : [];
    const where = waits.length === 0 ? "" : `, waiting on ${waits.map(describeWait).join(" and ")}`;
    const hint = waits.some((wait) => wait.kind === "sleep")
      ? ' Move the clock (await hl.clock.advance("1d")) or await run.result(), which skips to the wake-up.'
      : waits.length > 0
        ? " Answer the hook first: (await run.waitForHook()).resume(payload), hl.resumeHook(token, payload) or webhook.send(init)."
        : "";
    return new HooklineError(
      `hookline/testing: run ${this.runId} did not reach ${what}: it is ${status}${where}.${hint}`,
    );
  }
}

function describeWait(wait: WaitInfo): string {
  if (wait.kind === "sleep") return `a sleep until ${wait.until?.toISOString()}`;
  const metadata = wait.metadata === undefined ? "" : ` (metadata ${JSON.stringify(wait.metadata)})`;
  const until = wait.until === undefined ? " with no timeout" : ` until ${wait.until.toISOString()}`;
  return `a ${wait.kind} ${wait.id}${metadata}${until}`;
}
