/**
 * A run's children, on the host. A workflow's `start(child, args)` becomes an operation of kind
 * "child": the parent's drive creates the child (run-creation.ts) and records child_started.
 * When a child ends, its drive wakes the parent (one queue message, no polling), and the parent's
 * drive reads the child's end event and records child_ended in its own log, which settles
 * `await run.returnValue` in the workflow. When a run is cancelled, its drive cancels the children
 * it started that are still running, unless they were started with `detached: true`.
 *
 *   parent: start(child) ─► child_started ─► (suspended in await run.returnValue)
 *   child:  … run_completed ─► wake parent ─► parent: child_ended ─► workflow resumes
 */
import type { EventOf, NewEvent, WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import type { Operation } from "./operations.js";
import type { ChildRunRequest } from "./run-creation.js";
import { readRunEnd } from "./run-end-reader.js";

/** What the children's part of a parent's drive needs of its warm run. */
export interface ParentPort {
  readonly runId: string;
  /** The parent's webhook origin and trailing slash, which its children inherit. */
  readonly origin: string | undefined;
  readonly trailingSlash: boolean;
  /** The bundle the parent replays with: its children start with the same code. */
  bundleId(): string | undefined;
  readonly env: {
    readonly world: Pick<World, "getRun" | "readEvents">;
    startChild(request: ChildRunRequest): Promise<string>;
    cancelRun(runId: string, reason: string): Promise<void>;
  };
  ended(): boolean;
  /** `value` with the webhook tokens the parent knows replaced by markers (value-tokens.ts). */
  redact<T>(value: T): T;
  /** Appends at the end of the parent's log; null if another writer got there first (its events are then applied). */
  append(event: NewEvent): Promise<WorkflowEvent | null>;
}

/** Creates the child (once: a replay finds it by its key) and records it; a parent ended meanwhile cancels it. True: the log changed. */
export async function startChildOperation(parent: ParentPort, op: Operation): Promise<true> {
  const workflowId = op.workflowId!;
  const childRunId = await parent.env.startChild({
    parentRunId: parent.runId,
    corr: op.corr,
    workflowId,
    args: parent.redact(op.args),
    origin: parent.origin,
    trailingSlash: parent.trailingSlash,
    bundleId: parent.bundleId(),
  });
  const data = { workflowId, childRunId, ...(op.detached ? { detached: true } : {}) };
  const stored = await parent.append({ type: "child_started", corr: op.corr, at: Date.now(), data });
  if (!stored && parent.ended() && !op.detached)
    await parent.env.cancelRun(childRunId, `its parent run ${parent.runId} ended before recording it`);
  return true;
}

/**
 * Records child_ended for each child that ended since (its end woke the parent). The children the
 * parent still waits for are looked up at once (one summary read each, in parallel), then their
 * ends appended in the order of the parent's calls.
 */
export async function collectEndedChildren(parent: ParentPort, ops: Iterable<Operation>): Promise<void> {
  const open = [...ops].filter((op) => op.kind === "child" && op.recorded && !op.done);
  if (open.length === 0) return;
  const ends = await Promise.all(open.map((op) => childEndedEvent(parent.env.world, op)));
  for (const [i, ended] of ends.entries()) {
    const op = open[i]!;
    while (ended && !op.done && !parent.ended()) if (await parent.append(ended)) break;
  }
}

/** child_ended for a recorded child that has ended; null while it runs. */
async function childEndedEvent(world: Pick<World, "getRun" | "readEvents">, op: Operation): Promise<NewEvent | null> {
  const childRunId = op.childRunId!;
  const end = await readRunEnd(world, childRunId);
  if (!end) return null;
  const ended: EventOf<"child_ended">["data"] =
    end.type === "run_completed"
      ? { childRunId, status: "completed", result: end.data.result }
      : end.type === "run_failed"
        ? { childRunId, status: "failed", error: end.data.error }
        : { childRunId, status: "cancelled", ...(end.data.reason === undefined ? {} : { reason: end.data.reason }) };
  return { type: "child_ended", corr: op.corr, at: Date.now(), data: ended };
}

/**
 * Keeps `open` (corr → child run id) to the children a run started attached (not detached) and
 * that have not ended as far as its log knows: those its cancellation cancels.
 */
export function noteChild(open: Map<string, string>, event: WorkflowEvent): void {
  if (event.type === "child_started" && !event.data.detached) open.set(event.corr!, event.data.childRunId);
  else if (event.type === "child_ended") open.delete(event.corr!);
}

/** What a run's end asks of the runtime: waking its parent, cancelling its children. */
export interface FamilyPort {
  wake(runId: string): Promise<void>;
  cancel(runId: string, reason: string): Promise<void>;
}

/**
 * After a run ended (each time it is driven ended: the effects are idempotent, so a crash
 * between the end and them is repaired by the redelivered drive): a child wakes its parent; a
 * cancelled run cancels its attached children still running.
 */
export async function afterRunEnd(
  port: FamilyPort,
  run: { runId: string; status: string; parentRunId: string | undefined; openChildren: ReadonlyMap<string, string> },
): Promise<void> {
  if (run.parentRunId !== undefined) await port.wake(run.parentRunId);
  if (run.status !== "cancelled") return;
  const reason = `its parent run ${run.runId} was cancelled`;
  await Promise.all([...run.openChildren.values()].map((childRunId) => port.cancel(childRunId, reason)));
}
