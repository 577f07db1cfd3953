/**
 * Child runs inside a workflow. `start(child, args, { detached? })` (from "hookline/api", which
 * the workflow bundle resolves to ./api.ts) asks the host to create the child run once: the host
 * records it as child_started in this run's log, so a replay gets the same run back and never
 * creates a second one. `await run.returnValue` suspends the workflow until the host records
 * child_ended, which the child's end wakes this run for (host/child-runs.ts).
 */
import { ContextError, InvalidArgumentError, WorkflowNotRegisteredError } from "../shared/errors.js";
import { runEndError } from "../shared/run-end.js";
import { deserialize, serialize } from "../shared/serialization/index.js";
import type { EventDataMap, Serialized } from "../world/events.js";
import { host } from "./kernel.js";
import { isWorkflowId, nextCorr, type OperationSink, registerSink, workflowIdOf } from "./state.js";

type Ended = EventDataMap["child_ended"];

/** Options of start() that only server code takes: a child is started exactly once without them. */
const SERVER_OPTIONS: Record<string, string> = {
  idempotencyKey:
    "a child run is started exactly once by its parent already (its key is the parent's run id and the call's place)",
  idempotencyKeyTTL: "a child run is started exactly once by its parent already",
  baseUrl: "a child run builds its webhook URLs from its parent's base URL",
};

/** Events of one child: its creation (settles start()) and its end (settles returnValue). */
class ChildChannel implements OperationSink {
  #started: ((runId: string) => void) | null = null;
  readonly started: Promise<string>;
  #ended: Ended | null = null;
  #waiting: Array<(ended: Ended) => void> = [];

  constructor() {
    this.started = new Promise((resolve) => {
      this.#started = resolve;
    });
  }

  push(type: string, data: Serialized): void {
    if (type === "child_started") this.#started?.((data as EventDataMap["child_started"]).childRunId);
    else if (type === "child_ended" && !this.#ended) {
      this.#ended = data as Ended;
      for (const resolve of this.#waiting.splice(0)) resolve(this.#ended);
    }
  }

  ended(): Promise<Ended> {
    return this.#ended ? Promise.resolve(this.#ended) : new Promise((resolve) => this.#waiting.push(resolve));
  }
}

/** Members of the server's Run that a workflow cannot use: reading a live run is not replayable. */
const SERVER_MEMBERS = [
  "status",
  "error",
  "createdAt",
  "info",
  "steps",
  "waits",
  "events",
  "readable",
  "getReadable",
  "getStreamChunks",
  "getStreamInfo",
  "streams",
  "cancel",
] as const;

/**
 * A run as workflow code holds it: its `runId`, its `workflowId`, and for a child this workflow
 * started, its `returnValue`. Everything else a server `Run` has reads the run as it is now,
 * which a replay could not repeat: those members throw, pointing at a step.
 */
export class Run<T = unknown> {
  readonly runId: string;
  readonly #workflowId: string | undefined;
  readonly #channel: ChildChannel | undefined;
  #returnValue: Promise<T> | undefined;

  /** @internal */
  constructor(runId: string, workflowId?: string, channel?: ChildChannel) {
    this.runId = runId;
    this.#workflowId = workflowId;
    this.#channel = channel;
  }

  get workflowId(): Promise<string> {
    if (this.#workflowId === undefined) return Promise.reject(notInWorkflow("run.workflowId"));
    return Promise.resolve(this.#workflowId);
  }

  /**
   * The child's return value: the workflow waits (suspended, at no cost) until the child ends.
   * Rejects with WorkflowRunFailedError (its `cause` is the child's error) or WorkflowRunCancelledError.
   */
  get returnValue(): Promise<T> {
    const channel = this.#channel;
    if (!channel) {
      return Promise.reject(
        new ContextError(
          `getRun("${this.runId}").returnValue: a workflow can await only the runs it started itself with start(); read other runs in a "use step" function.`,
          "HOOKLINE_SANDBOX",
        ),
      );
    }
    this.#returnValue ??= channel.ended().then((ended) => {
      if (ended.status === "completed") return deserialize(ended.result) as T;
      throw runEndError(
        this.runId,
        ended.status === "failed"
          ? { status: "failed", error: ended.error }
          : { status: "cancelled", reason: ended.reason },
      );
    });
    return this.#returnValue;
  }
}

function notInWorkflow(member: string): ContextError {
  return new ContextError(
    `${member} reads a run as it is now, which a workflow's replay cannot repeat: call it in a "use step" function (getRun(runId) there), or await run.returnValue.`,
    "HOOKLINE_SANDBOX",
  );
}

for (const member of SERVER_MEMBERS) {
  Object.defineProperty(Run.prototype, member, {
    get() {
      throw notInWorkflow(`run.${member}`);
    },
    configurable: true,
  });
}

/** The children this workflow started, by run id, so getRun(childId) returns the same handle. */
const children = new Map<string, Run>();

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function")
    return `a plain function${value.name ? ` (${value.name})` : ""} that is not a "use workflow" function`;
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function childWorkflowId(workflow: unknown): string {
  const id =
    typeof workflow === "string"
      ? workflow
      : (workflowIdOf(workflow) ??
        (typeof workflow === "object" && workflow !== null
          ? (workflow as { workflowId?: unknown }).workflowId
          : undefined));
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidArgumentError(
      `start(): the first argument must be a "use workflow" function imported from its file, got ${describe(workflow)}.`,
    );
  }
  if (!isWorkflowId(id)) throw new WorkflowNotRegisteredError(`start(): workflow "${id}" is not in this build.`);
  return id;
}

function detachedOption(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`start(): the options must be an object, got ${describe(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (name === "detached") continue;
    const why = SERVER_OPTIONS[name];
    throw new InvalidArgumentError(
      why
        ? `start(): option "${name}" is not taken inside a workflow: ${why}. Known options in a workflow: detached.`
        : `start(): unknown option "${name}". Known options in a workflow: detached.`,
    );
  }
  const { detached } = options as { detached?: unknown };
  if (detached !== undefined && typeof detached !== "boolean") {
    throw new InvalidArgumentError(`start(): detached must be true or false, got ${describe(detached)}.`);
  }
  return detached === true;
}

/**
 * Starts `workflow` as a child of this run, exactly once: replays return the same run. The child
 * is cancelled with this run unless `detached: true`.
 */
export async function startChild<T>(workflow: unknown, args: unknown = [], options?: unknown): Promise<Run<T>> {
  const workflowId = childWorkflowId(workflow);
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(
      `start(): the arguments must be an array, e.g. start(workflow, [orderId]); got ${describe(args)}.`,
    );
  }
  const detached = detachedOption(options);
  const recordedArgs = serialize(args, "args");
  const corr = nextCorr();
  const channel = new ChildChannel();
  registerSink(corr, channel);
  host().request({ kind: "child", corr, workflowId, args: recordedArgs, detached });
  const runId = await channel.started;
  const run = new Run<T>(runId, workflowId, channel);
  children.set(runId, run as Run);
  return run;
}

/** A handle on `runId`: the same one start() gave for a child of this run, else one that knows only its id. */
export function childRun<T>(runId: string): Run<T> {
  if (typeof runId !== "string" || runId.length === 0)
    throw new InvalidArgumentError(`getRun(): the run id must be a non-empty string, got ${describe(runId)}.`);
  return (children.get(runId) as Run<T> | undefined) ?? new Run<T>(runId);
}
