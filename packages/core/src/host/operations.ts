/**
 * A run's operations (step calls, sleeps, hooks) as the workflow made them in this replay,
 * matched against what the log recorded for the same correlation ids. Applying an event
 * updates the operation it belongs to; an event for a call the workflow did not make, or
 * made differently, is a ReplayDivergenceError.
 */
import { ReplayDivergenceError } from "../shared/errors.js";
import type { NewEvent, Serialized, WebhookConfig, WorkflowEvent } from "../world/events.js";

export interface Operation {
  corr: string;
  kind: "step" | "sleep" | "hook" | "child";
  /** Made by the workflow in this replay (log events for it may come later). */
  requested: boolean;
  /** Has a creating event in the log (step_started, sleep_started, hook_created/conflicted). */
  recorded: boolean;
  /** Finished for good: step result or final failure, sleep completed, hook ended. */
  done: boolean;

  stepId?: string;
  args?: Serialized;
  closure?: Serialized;
  /** An instance-method step's `this`, as the workflow serialized it. */
  self?: Serialized;
  /** Number of the last attempt started. */
  attempts: number;
  /** When its first attempt started (getStepMetadata().stepStartedAt). */
  firstStartedAt?: number;
  retryAt?: number;
  /** An attempt is running in this process. */
  inFlight?: boolean;

  until?: number;

  hookKind?: "hook" | "webhook";
  token?: string;
  tokenHash?: string;
  keyId?: string;
  /** A hook made by defineHook({ id }): that id. */
  definition?: string;
  metadata?: Serialized;
  expiresAt?: number;
  webhook?: WebhookConfig;
  disposeRequested?: boolean;
  /** Recorded deliveries of a webhook: dedupe key → request id. */
  deliveries?: Map<string, string>;

  /** A child run's workflow, and its run once child_started recorded it. */
  workflowId?: string;
  childRunId?: string;
  /** start(child, args, { detached: true }): not cancelled with this run. */
  detached?: boolean;
}

/** Event types that settle something the workflow may be awaiting. */
const DELIVERING = new Set([
  "step_completed",
  "step_failed",
  "sleep_completed",
  "hook_received",
  "hook_rejected",
  "hook_timed_out",
  "hook_disposed",
  "hook_conflicted",
  "child_started",
  "child_ended",
]);

export class OperationTable {
  readonly #ops = new Map<string, Operation>();
  /** Operations that may need the host to act (append, run a step, set a timer). */
  readonly pending = new Set<Operation>();
  /** Responses recorded for manual webhook requests: request id → serialized response. */
  readonly responses = new Map<string, Serialized>();

  constructor(readonly runId: string) {}

  get(corr: string): Operation | undefined {
    return this.#ops.get(corr);
  }

  /** The workflow made a call. */
  request(op: Omit<Operation, "requested" | "recorded" | "done" | "attempts">): Operation {
    const full: Operation = { ...op, requested: true, recorded: false, done: false, attempts: 0 };
    this.#ops.set(op.corr, full);
    this.pending.add(full);
    return full;
  }

  /** A step is due at `now`: not done, not running, not waiting for its retry's backoff. */
  stepDue(now: number): boolean {
    for (const op of this.pending) {
      if (op.kind === "step" && !op.done && !op.inFlight && (op.retryAt === undefined || op.retryAt <= now))
        return true;
    }
    return false;
  }

  /** Applies a log event; true when it settles something in the sandbox. */
  apply(event: WorkflowEvent): boolean {
    if (!event.corr) return false;
    switch (event.type) {
      case "step_started": {
        const op = this.#expect(event, "step", event.data.stepId);
        op.recorded = true;
        op.attempts = event.data.attempt;
        op.firstStartedAt ??= event.at;
        op.retryAt = undefined;
        break;
      }
      case "step_completed": {
        const op = this.#expect(event, "step", event.data.stepId);
        op.done = true;
        break;
      }
      case "step_failed": {
        const op = this.#expect(event, "step", event.data.stepId);
        op.attempts = Math.max(op.attempts, event.data.attempt);
        if (event.data.retryAt === undefined) op.done = true;
        else {
          op.retryAt = event.data.retryAt;
          this.pending.add(op);
          return false;
        }
        break;
      }
      case "sleep_started": {
        // The recorded deadline is the truth: a replay's clock may differ from the first run's.
        const op = this.#expect(event, "sleep");
        op.recorded = true;
        op.until = event.data.until;
        break;
      }
      case "sleep_completed":
        this.#expect(event, "sleep").done = true;
        break;
      case "hook_created": {
        const op = this.#expect(event, "hook", undefined, event.data.kind);
        op.recorded = true;
        break;
      }
      case "hook_conflicted":
      case "hook_timed_out":
      case "hook_disposed": {
        const op = this.#expect(event, "hook");
        op.recorded = true;
        op.done = true;
        break;
      }
      case "hook_received": {
        const op = this.#expect(event, "hook");
        if (event.data.dedupeKey && event.data.requestId) {
          op.deliveries ??= new Map();
          op.deliveries.set(event.data.dedupeKey, event.data.requestId);
        }
        break;
      }
      case "hook_rejected":
        this.#expect(event, "hook");
        break;
      case "webhook_responded":
        this.responses.set(event.data.requestId, event.data.response);
        return false;
      case "child_started": {
        const op = this.#expect(event, "child", undefined, undefined, event.data.workflowId);
        op.recorded = true;
        op.childRunId = event.data.childRunId;
        op.detached = event.data.detached === true;
        break;
      }
      case "child_ended":
        this.#expect(event, "child").done = true;
        break;
      default:
        return false;
    }
    return DELIVERING.has(event.type);
  }

  #expect(
    event: WorkflowEvent,
    kind: Operation["kind"],
    stepId?: string,
    hookKind?: "hook" | "webhook",
    workflowId?: string,
  ): Operation {
    const op = this.#ops.get(event.corr!);
    if (
      op !== undefined &&
      op.kind === kind &&
      (stepId === undefined || op.stepId === stepId) &&
      (hookKind === undefined || op.hookKind === hookKind) &&
      (workflowId === undefined || op.workflowId === workflowId)
    ) {
      return op;
    }
    // The call the log recorded, or a divergence: described only then (the above runs for every event of every replay).
    const recorded = () => describeRecorded(event, kind, stepId ?? workflowId, hookKind);
    const ordinal = event.corr!.slice(1);
    if (!op) {
      throw new ReplayDivergenceError(
        `Replay of run ${this.runId} diverged at operation #${ordinal}: the log recorded ${recorded()} (event ${event.seq}, ${event.type}), but the workflow did not make that call. The workflow's code changed under a running run, or it is not deterministic.`,
        { recorded: recorded(), actual: "no call", seq: event.seq },
      );
    }
    throw new ReplayDivergenceError(
      `Replay of run ${this.runId} diverged at operation #${ordinal}: the log recorded ${recorded()} (event ${event.seq}), but the workflow now calls ${describeOperation(op)}. The workflow's code changed under a running run, or it is not deterministic.`,
      {
        recorded: recorded(),
        actual: describeOperation(op),
        seq: event.seq,
        ...(op.args === undefined ? {} : { actualArgs: op.args }),
      },
    );
  }
}

function describeRecorded(event: WorkflowEvent, kind: Operation["kind"], id?: string, hookKind?: string): string {
  if (kind === "step") return `step "${id}"`;
  if (kind === "child") return id === undefined ? "a child run" : `start() of workflow "${id}"`;
  if (kind === "sleep") return "sleep()";
  if (hookKind === "webhook") return "createWebhook()";
  if (hookKind === "hook") return "createHook()";
  return event.type.startsWith("hook") ? "a hook" : event.type;
}

export function describeOperation(op: Operation): string {
  if (op.kind === "step") return `step "${op.stepId}"`;
  if (op.kind === "child") return `start() of workflow "${op.workflowId}"`;
  if (op.kind === "sleep") return "sleep()";
  return op.hookKind === "webhook" ? "createWebhook()" : "createHook()";
}

/** The event a hook or sleep needs next; null when it needs nothing more; wakeAt when it is due later. */
export function nextWaitEvent(op: Operation, at: number): NewEvent | { wakeAt: number } | null {
  const corr = op.corr;
  if (op.kind === "sleep") {
    if (!op.recorded) return { type: "sleep_started", corr, at, data: { until: op.until! } };
    if (op.done) return null;
    if (op.until! <= at) return { type: "sleep_completed", corr, at, data: {} };
    return { wakeAt: op.until! };
  }
  if (!op.recorded) {
    return {
      type: "hook_created",
      corr,
      at,
      data: {
        kind: op.hookKind!,
        tokenHash: op.tokenHash!,
        ...(op.keyId === undefined ? {} : { keyId: op.keyId }),
        ...(op.definition === undefined ? {} : { definition: op.definition }),
        ...(op.metadata === undefined ? {} : { metadata: op.metadata }),
        ...(op.expiresAt === undefined ? {} : { expiresAt: op.expiresAt }),
        ...(op.webhook === undefined ? {} : { webhook: op.webhook }),
      },
    };
  }
  if (op.done) return null;
  if (op.disposeRequested) return { type: "hook_disposed", corr, at, data: {} };
  if (op.expiresAt === undefined) return null;
  if (op.expiresAt <= at) return { type: "hook_timed_out", corr, at, data: {} };
  return { wakeAt: op.expiresAt };
}
