/** A handle on a run, as `start()` and `getRun()` return it. */
import { InvalidArgumentError, RunNotFoundError } from "../shared/errors.js";
import { runEndError } from "../shared/run-end.js";
import { deserialize } from "../shared/serialization/index.js";
import { namespaceOption, type StreamRef, WorkflowWritable } from "../shared/stream-ref.js";
import type { RunStatus, WorkflowEvent } from "../world/events.js";
import type { RunSummary, World } from "../world/world.js";
import { type StepInfo, stepsOf, type WaitInfo, waitsOf } from "./run-views.js";
import { checkStartIndex, openReadable, type WorkflowReadableStream } from "./streams/stream-reader.js";

/** What a Run handle needs of the runtime: reading the run, waiting for its end, cancelling it. */
export interface RunPort {
  readonly world: Pick<World, "getRun" | "readEvents" | "onAppend" | "onResync" | "streams">;
  waitForEnd(runId: string): Promise<WorkflowEvent>;
  cancel(runId: string, reason?: string): Promise<void>;
  wakeSleep(runId: string, sleepId: string): Promise<boolean>;
  /** A recorded value with its webhook tokens rebuilt (value-tokens.ts). */
  revealTokens<V>(value: V): V;
}

export interface RunInfo {
  runId: string;
  workflowId: string;
  /** The workflow function's name. */
  workflowName: string;
  status: RunStatus;
  createdAt: Date;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  /** The run whose workflow started this one with `start()` (a child run); undefined otherwise. */
  parentRunId: string | undefined;
  /** The run this one reruns (same workflow and arguments); undefined otherwise. */
  rerunOf: string | undefined;
}

export function runInfo(summary: RunSummary): RunInfo {
  return {
    runId: summary.runId,
    workflowId: summary.workflowId,
    workflowName: summary.workflowId.split("//").pop() ?? summary.workflowId,
    status: summary.status,
    createdAt: new Date(summary.createdAt),
    startedAt: summary.startedAt === undefined ? undefined : new Date(summary.startedAt),
    endedAt: summary.endedAt === undefined ? undefined : new Date(summary.endedAt),
    parentRunId: summary.parentRunId,
    rerunOf: summary.rerunOf,
  };
}

const ENDED: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled"]);

function cursorIndex(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor))
    throw new InvalidArgumentError(
      `run.getStreamChunks(): ${JSON.stringify(cursor)} is not a cursor from an earlier page.`,
    );
  return Number(cursor);
}

export class Run<T = unknown> {
  readonly runId: string;
  readonly #runtime: () => Promise<RunPort>;

  constructor(runId: string, runtime: () => Promise<RunPort>) {
    this.runId = runId;
    this.#runtime = runtime;
  }

  /** pending → running → completed | failed | cancelled. */
  get status(): Promise<RunStatus> {
    return this.#summary().then((s) => s.status);
  }

  get workflowId(): Promise<string> {
    return this.#summary().then((s) => s.workflowId);
  }

  get createdAt(): Promise<Date> {
    return this.#summary().then((s) => new Date(s.createdAt));
  }

  /**
   * Resolves with the workflow's return value; rejects with WorkflowRunFailedError (its `cause`
   * is the workflow's own error) or WorkflowRunCancelledError, as the Workflow SDK does.
   */
  get returnValue(): Promise<T> {
    return this.#end().then((end) => {
      if (end.type === "run_completed") {
        // A ReadableStream the workflow returned is read live from the run's stream.
        const createStream = (ref: StreamRef) =>
          ref.kind === "readable"
            ? this.getReadable({ namespace: ref.namespace })
            : new WorkflowWritable(ref.namespace);
        return deserialize(end.data.result, { createStream }) as T;
      }
      if (end.type === "run_failed") throw runEndError(this.runId, { status: "failed", error: end.data.error });
      throw runEndError(this.runId, {
        status: "cancelled",
        reason: end.type === "run_cancelled" ? end.data.reason : undefined,
      });
    });
  }

  /** The error a failed run ended with; undefined while it has not failed. */
  get error(): Promise<Error | undefined> {
    return this.#summary().then(async (summary) => {
      if (summary.status !== "failed") return undefined;
      const end = await this.#end();
      return end.type === "run_failed" ? (deserialize(end.data.error) as Error) : undefined;
    });
  }

  /** Status, workflow and times in one read. */
  async info(): Promise<RunInfo> {
    return runInfo(await this.#summary());
  }

  /** The run's steps, with their status, attempts and timings. */
  async steps(): Promise<StepInfo[]> {
    return stepsOf(await this.events());
  }

  /** The sleeps and hooks the run is waiting in. */
  async waits(): Promise<WaitInfo[]> {
    return waitsOf(await this.events());
  }

  /** The run's event log, in order: the record everything else is derived from. */
  async events(): Promise<WorkflowEvent[]> {
    const runtime = await this.#runtime();
    const events = await runtime.world.readEvents(this.runId);
    if (events.length === 0) throw new RunNotFoundError(`No run with id "${this.runId}".`);
    return events;
  }

  /** The run's default stream from its first chunk, live until the stream is closed or the run ends. */
  get readable(): WorkflowReadableStream<unknown> {
    return this.getReadable();
  }

  /**
   * A live ReadableStream of one of the run's streams (`namespace`, default "default") from
   * `startIndex` (0 = the first chunk; negative = counted back from the tail, -1 = the last),
   * from any instance. It ends after the last chunk once the stream is closed or the run ended;
   * it errors with RunNotFoundError when there is no such run.
   */
  getReadable<R = unknown>(options: { namespace?: string; startIndex?: number } = {}): WorkflowReadableStream<R> {
    const namespace = namespaceOption(options, "run.getReadable()");
    const startIndex = checkStartIndex(options.startIndex, "run.getReadable()");
    return openReadable<R>(async () => (await this.#runtime()).world, this.runId, { namespace, startIndex });
  }

  /**
   * A page of one of the run's streams as it is now (not live): chunks in index order from
   * `cursor` (a previous page's) or `startIndex` (default 0), at most `limit` (default 100, at most
   * 1,000). `done`: the stream is closed or the run ended, so no chunk will follow.
   */
  async getStreamChunks<R = unknown>(
    options: { namespace?: string; startIndex?: number; limit?: number; cursor?: string | null } = {},
  ): Promise<{ data: Array<{ index: number; value: R }>; cursor: string | null; hasMore: boolean; done: boolean }> {
    const namespace = namespaceOption(options, "run.getStreamChunks()");
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000) {
      throw new InvalidArgumentError(
        `run.getStreamChunks(): limit must be a whole number from 1 to 1000, got ${String(options.limit)}.`,
      );
    }
    const from = options.cursor
      ? cursorIndex(options.cursor)
      : Math.max(0, checkStartIndex(options.startIndex, "run.getStreamChunks()"));
    const { world } = await this.#runtime();
    const summary = await this.#summary();
    const chunks = await world.streams.read(this.runId, namespace, from, limit + 1);
    const page = chunks.slice(0, limit);
    const info = await world.streams.info(this.runId, namespace);
    const next = page.length > 0 ? page[page.length - 1]!.index + 1 : from;
    return {
      data: page.map((chunk) => ({ index: chunk.index, value: deserialize(JSON.parse(chunk.data)) as R })),
      cursor: chunks.length > limit || !(info.done || ENDED.has(summary.status)) ? String(next) : null,
      hasMore: chunks.length > limit,
      done: info.done || ENDED.has(summary.status),
    };
  }

  /** Where one of the run's streams ends now: `tailIndex` (-1 while empty), and whether it is done (closed, or the run ended). */
  async getStreamInfo(options: { namespace?: string } = {}): Promise<{ tailIndex: number; done: boolean }> {
    const namespace = namespaceOption(options, "run.getStreamInfo()");
    const { world } = await this.#runtime();
    const summary = await this.#summary();
    const info = await world.streams.info(this.runId, namespace);
    return { tailIndex: info.tailIndex, done: info.done || ENDED.has(summary.status) };
  }

  /** The names of the run's streams (those written to or closed), sorted. */
  async streams(): Promise<string[]> {
    return (await this.#runtime()).world.streams.list(this.runId);
  }

  /** Stops the run: its hooks end, its timers never fire; a running step finishes but its result is ignored. */
  async cancel(reason?: string): Promise<void> {
    await (await this.#runtime()).cancel(this.runId, reason);
  }

  /** Ends the run's sleep `sleepId` (the `id` of a "sleep" in `waits()`) now; false if it had already ended. */
  async wakeSleep(sleepId: string): Promise<boolean> {
    return (await this.#runtime()).wakeSleep(this.runId, sleepId);
  }

  async #summary() {
    const summary = await (await this.#runtime()).world.getRun(this.runId);
    if (!summary) throw new RunNotFoundError(`No run with id "${this.runId}".`);
    return summary;
  }

  /** The run's end event, its values as code may read them (webhook tokens rebuilt). */
  async #end(): Promise<WorkflowEvent> {
    const runtime = await this.#runtime();
    const end = await runtime.waitForEnd(this.runId);
    return { ...end, data: runtime.revealTokens(end.data) } as WorkflowEvent;
  }
}
