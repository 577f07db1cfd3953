/**
 * A run held in memory: its sandbox, its operations and the position it has replayed to.
 * Waking a warm run reads only the events appended since; a cold run (after a restart or
 * eviction) is rebuilt by replaying its whole log once. Every change to the run goes through
 * its serial queue; steps run outside it and come back through it with their results.
 */
import { EventConflictError, HookConflictError, ReplayDivergenceError, WorldError } from "../shared/errors.js";
import type { HostBridge } from "../workflow/kernel.js";
import {
  type EventOf,
  type NewEvent,
  type RunStatus,
  type Serialized,
  TERMINAL_RUN_EVENTS,
  type WorkflowEvent,
} from "../world/events.js";
import { replayableBundle, replayBundleId } from "./bundle-store.js";
import { collectEndedChildren, noteChild, type ParentPort, startChildOperation } from "./child-runs.js";
import { RunSlot } from "./concurrency-slots.js";
import { HookTokens, WEBHOOK_PATH } from "./hook-tokens.js";
import { nextWaitEvent, type Operation, OperationTable } from "./operations.js";
import { PatchMarkers } from "./patch-markers.js";
import { RunCode } from "./run-code.js";
import type { RunEnvironment } from "./run-environment.js";
import { runStepLauncher } from "./run-steps.js";
import { RunTimers } from "./run-timers.js";
import { remapRecordedStacks } from "./sandbox.js";
import { requestOperation } from "./sandbox-requests.js";
import { SerialQueue } from "./serial-queue.js";
import type { StepLauncher } from "./step-launcher.js";
import { recordError } from "./step-runner.js";

export class WarmRun {
  readonly runId: string;
  readonly workflowId: string;
  readonly ops: OperationTable;
  /** The run whose workflow started this one, for a child run. */
  readonly parentRunId: string | undefined;
  /** Children started attached (not detached) and not ended as far as the log knows: corr → run id. */
  readonly openChildren = new Map<string, string>();
  status: RunStatus = "pending";
  lastSeq = 0;
  /** The bundle the run replays with: its run_created's, or its latest run_upgraded's. */
  bundleId: string | undefined;
  /** A run_upgraded recorded since it was opened: reopen it with its new bundle. */
  stale = false;

  readonly #env: RunEnvironment;
  readonly #queue = new SerialQueue();
  readonly #bridge: HostBridge;
  readonly #code: RunCode;
  readonly #patches = new PatchMarkers();
  /** The last seq read from the log (patched() answers false before it), and where the log ended when opened. */
  #logEnd = 0;
  #openedSeq = 0;
  /** The workflow returned or threw: not yet recorded. */
  #outcome: { ok: true; result: Serialized } | { ok: false; error: Serialized } | null = null;
  /** Replay cannot continue (divergence, missing workflow): the run fails with this. */
  #failure: Error | null = null;
  readonly #timers: RunTimers;
  readonly #hookTokens: HookTokens;
  readonly #steps: StepLauncher;
  readonly #parentPort: ParentPort;
  /** start({ concurrency }): steps run only while the run holds a slot (null: no limit). */
  readonly #slot: RunSlot | null;

  private constructor(env: RunEnvironment, created: EventOf<"run_created">) {
    this.#env = env;
    this.runId = created.runId;
    this.workflowId = created.data.workflowId;
    this.parentRunId = created.data.parentRunId;
    this.#slot = created.data.concurrency ? new RunSlot(env.slots, this.runId, created.data.concurrency) : null;
    this.ops = new OperationTable(this.runId);
    this.#timers = new RunTimers(env.world.queue, this.runId);
    this.#hookTokens = new HookTokens(env.tokens, this.runId);
    const baseUrl = created.data.origin ?? "";
    const slash = created.data.trailingSlash ? "/" : "";
    this.#parentPort = {
      runId: this.runId,
      origin: created.data.origin,
      trailingSlash: created.data.trailingSlash === true,
      bundleId: () => this.bundleId,
      env,
      ended: () => this.terminal,
      append: (event) => this.#append(event),
      redact: (value) => this.#hookTokens.values.redact(value),
    };
    this.#bridge = {
      seed: created.data.seed,
      now: created.at,
      metadata: {
        runId: this.runId,
        workflowId: this.workflowId,
        workflowName: this.workflowId.split("//").pop() ?? this.workflowId,
        startedAt: created.at,
        url: baseUrl,
      },
      request: (op) =>
        requestOperation(this.ops, this.#hookTokens, op, (token) => `${baseUrl}${WEBHOOK_PATH}${token}${slash}`),
      patched: (patchId) => this.#patches.answer(patchId, this.lastSeq >= this.#logEnd),
      complete: (result) => {
        this.#outcome ??= { ok: true, result };
      },
      fail: (error) => {
        this.#outcome ??= { ok: false, error: remapRecordedStacks(error, this.#code.bundle) };
      },
    };
    this.#code = new RunCode(this.workflowId, this.#bridge, this.#hookTokens.values);
    this.#steps = runStepLauncher({
      env,
      runId: this.runId,
      workflowId: this.workflowId,
      metadata: this.#bridge.metadata,
      isOpen: (op) => !this.terminal && !op.done,
      record: ({ before, condition, make, advance }) =>
        this.#queue.run(async () => {
          before?.();
          while (condition()) if (await this.#append(make())) break;
          if (advance) await this.#advance();
        }),
      answered: (requestId) => this.ops.responses.has(requestId) || this.terminal,
      appendExternal: (make) => this.appendExternal(make),
      bundleId: () => this.bundleId,
      lastEventAt: () => this.#bridge.now,
    });
  }

  /** Rebuilds a run from its whole log; null if the run does not exist. */
  static async open(env: RunEnvironment, runId: string): Promise<WarmRun | null> {
    const events = await env.world.readEvents(runId, 0);
    const first = events[0];
    if (!first) return null;
    if (first.type !== "run_created")
      throw new WorldError(`Run ${runId}: the log starts with ${first.type}, not run_created.`);
    const run = new WarmRun(env, first);
    const last = events[events.length - 1]!;
    run.bundleId = replayBundleId(events);
    run.#patches.note(events);
    run.#logEnd = run.#openedSeq = last.seq;
    if (TERMINAL_RUN_EVENTS.has(last.type)) {
      // Nothing left to do: no need to replay.
      run.lastSeq = last.seq;
      for (const event of events) noteChild(run.openChildren, event);
      run.#end(last.type === "run_completed" ? "completed" : last.type === "run_failed" ? "failed" : "cancelled");
    } else {
      run.#hookTokens.note(events);
      for (const [index, event] of events.entries()) {
        // Code that runs after the last recorded event runs for the first time: its console output is live.
        run.#code.replaying = index < events.length - 1;
        await run.#apply(event);
      }
    }
    run.#code.replaying = false;
    return run;
  }

  get terminal(): boolean {
    return this.status === "completed" || this.status === "failed" || this.status === "cancelled";
  }

  /** Why replay cannot go on (a divergence, a missing workflow), if it cannot; recorded as the run's failure on its next drive. */
  get replayFailure(): Error | null {
    return this.#failure;
  }

  /** Not running anything, so it may be evicted. */
  get idle(): boolean {
    return this.#steps.running === 0 && this.#queue.idle;
  }

  /**
   * Reads new events and does the run's due work; resolves when nothing is left in flight.
   * With `appended` (an event this process just appended), the log is read only if that event
   * does not follow what the run has applied: any later event comes with its own wake.
   */
  async drive(appended?: WorkflowEvent): Promise<void> {
    const failures: unknown[] = [];
    await this.#queue
      .run(async () => {
        if (!appended || appended.seq > this.lastSeq + 1) await this.#catchUp();
        else if (appended.seq === this.lastSeq + 1) await this.#applyNew([appended]);
        await collectEndedChildren(this.#parentPort, this.ops.pending);
        await this.#advance();
      })
      .catch((error: unknown) => failures.push(error));
    await this.#settled();
    // Failing the drive keeps its queue message, so the run is driven again (from its log) later.
    failures.push(...this.#steps.takeUnrecorded());
    if (failures.length > 0) throw failures[0];
    // With nothing running, the run executes no step: it holds no slot unless a step is due now.
    if (this.#slot)
      await this.#queue.run(() =>
        this.#slot!.releaseIfIdle(this.terminal, this.#steps.running > 0 || this.ops.stepDue(Date.now())),
      );
  }

  /** Gives the run's concurrency slot back (a failed drive: the run is replayed from its log next time). */
  async releaseSlot(): Promise<void> {
    await this.#slot?.release();
  }

  /**
   * Appends an event on behalf of outside code (cancel, a manual webhook response) through this
   * run's queue; `wake` also enqueues a drive of the run with it (a cancel: the drive cancels children).
   */
  appendExternal(make: () => NewEvent | null, { wake = false } = {}): Promise<WorkflowEvent | null> {
    return this.#queue.run(async () => {
      for (;;) {
        const event = make();
        if (!event) return null;
        const stored = await this.#append(event, wake ? { key: `drive:${this.runId}` } : undefined);
        if (stored) {
          await this.#advance();
          return stored;
        }
      }
    });
  }

  // -- applying the log ------------------------------------------------------------------------

  async #catchUp(): Promise<void> {
    await this.#applyNew(await this.#env.world.readEvents(this.runId, this.lastSeq));
  }

  /** Applies events that follow the run's last applied one, in order. */
  async #applyNew(events: WorkflowEvent[]): Promise<void> {
    this.#hookTokens.note(events);
    this.#patches.note(events);
    this.#logEnd = Math.max(this.#logEnd, events.at(-1)?.seq ?? 0);
    for (const event of events) await this.#apply(event);
  }

  async #apply(event: WorkflowEvent): Promise<void> {
    if (event.seq !== this.lastSeq + 1) {
      throw new WorldError(`Run ${this.runId}: expected event ${this.lastSeq + 1}, the world returned ${event.seq}.`);
    }
    this.lastSeq = event.seq;
    this.#logEnd = Math.max(this.#logEnd, event.seq);
    this.#bridge.now = event.at;
    switch (event.type) {
      case "run_created": {
        const find = async () =>
          replayableBundle(await this.#env.bundleFor(this.bundleId), this, this.#env.currentBundleId());
        this.#failure = await this.#code.load(find, event.data.args);
        return;
      }
      case "run_started":
        this.status = "running";
        // The workflow's code first runs now, so its clock starts here: a first `sleep("10s")` is
        // measured from when the code called it, not from the run's creation (maybe long before).
        if (!this.#failure) this.#failure = await this.#code.start();
        return;
      case "patch_marked":
        this.#patches.recorded(event.data.patchId);
        return;
      case "run_upgraded":
        if (event.seq > this.#openedSeq && event.data.bundleId !== this.bundleId) this.stale = true;
        return;
      case "run_completed":
      case "run_failed":
      case "run_cancelled":
        this.#end(event.type === "run_completed" ? "completed" : event.type === "run_failed" ? "failed" : "cancelled");
        return;
    }
    noteChild(this.openChildren, event);
    if (this.#failure || !this.#code.loaded) return;
    let delivers: boolean;
    try {
      delivers = this.ops.apply(event);
    } catch (error) {
      if (!ReplayDivergenceError.is(error)) throw error;
      this.#failure = error;
      return;
    }
    if (delivers) await this.#code.deliver(event);
  }

  #end(status: RunStatus): void {
    this.status = status;
    this.#code.unload();
    this.ops.pending.clear();
    this.#outcome = null;
    this.#failure = null;
  }

  // -- recording and advancing -----------------------------------------------------------------

  /** Appends at the log's end; null if another writer got there first (the new events are then applied). */
  async #append(event: NewEvent, wake?: { key: string }): Promise<WorkflowEvent | null> {
    try {
      // A webhook URL in a recorded value keeps a marker in place of its token (value-tokens.ts).
      const data = this.#hookTokens.values.redact(event.data);
      const recorded = data === event.data ? event : ({ ...event, data } as NewEvent);
      const stored = await this.#env.world.append(this.runId, recorded, {
        expectedSeq: this.lastSeq,
        ...(wake ? { wake } : {}),
      });
      await this.#apply(stored);
      return stored;
    } catch (error) {
      if (!EventConflictError.is(error)) throw error;
      await this.#catchUp();
      return null;
    }
  }

  async #advance(): Promise<void> {
    while (!this.terminal && (await this.#advanceOnce()));
  }

  /** Does the next due piece of work; true if it changed the log (so look again). */
  async #advanceOnce(): Promise<boolean> {
    const at = Date.now();
    // Upgraded elsewhere: nothing more on the old code (the runtime reopens it).
    if (this.stale) return false;
    if (this.#failure) {
      await this.#append({ type: "run_failed", at, data: { error: await recordError(this.#failure) } });
      return true;
    }
    const marker = this.#patches.next(at);
    if (marker) {
      await this.#append(marker);
      return true;
    }
    if (this.#outcome) {
      const outcome = this.#outcome;
      await this.#append(
        outcome.ok
          ? { type: "run_completed", at, data: { result: outcome.result } }
          : { type: "run_failed", at, data: { error: outcome.error } },
      );
      return true;
    }
    if (this.status === "pending") {
      await this.#append({ type: "run_started", at, data: {} });
      return true;
    }
    // Hooks and sleeps are recorded before any step runs, so a step can never hand out the
    // URL of a wait that is not yet durable.
    for (const op of this.ops.pending) {
      if (op.kind === "step") continue;
      if (op.kind === "child") {
        if (!op.recorded) return startChildOperation(this.#parentPort, op);
        if (op.done) this.ops.pending.delete(op);
        continue;
      }
      const next = nextWaitEvent(op, at);
      if (next === null) this.ops.pending.delete(op);
      else if ("wakeAt" in next) await this.#timers.wakeAt(next.wakeAt);
      else if (next.type === "hook_created") return this.#createHook(op, next);
      else {
        await this.#append(next);
        return true;
      }
    }
    for (const op of this.ops.pending) {
      if (op.kind !== "step") continue;
      if (op.done) this.ops.pending.delete(op);
      else if (op.inFlight) continue;
      else if (op.retryAt !== undefined && op.retryAt > at) await this.#timers.wakeAt(op.retryAt);
      else if (!this.#slot || (await this.#slot.hold())) this.#steps.launch(op);
      // In line for a slot: the world wakes the run when it gets one.
      else return false;
    }
    return false;
  }

  async #createHook(op: Operation, event: NewEvent): Promise<boolean> {
    try {
      await this.#append(event);
    } catch (error) {
      if (!HookConflictError.is(error)) throw error;
      const heldBy = error.heldBy ?? "another run";
      await this.#append({ type: "hook_conflicted", corr: op.corr, at: Date.now(), data: { heldBy } });
    }
    return true;
  }

  /** Resolves when no step is running and every queued change is done. */
  async #settled(): Promise<void> {
    for (;;) {
      await this.#queue.run(async () => {});
      if (this.#steps.running === 0) return;
      await this.#steps.whenIdle();
    }
  }
}
