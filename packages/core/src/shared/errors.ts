/**
 * Hookline's error classes. They run on both sides of the vm boundary (host and replay
 * sandbox), so they use nothing but the language, and are recognised by a symbol brand and
 * their stable `code`, never by `instanceof` alone: an error thrown in the sandbox is not an
 * instance of the host's class. Names are explicit so minified bundles keep them.
 */
const BRAND = Symbol.for("hookline.error");

export type ErrorCode =
  | "HOOKLINE_ERROR"
  | "HOOKLINE_FATAL"
  | "HOOKLINE_RETRYABLE"
  | "HOOKLINE_HOOK_TIMEOUT"
  | "HOOKLINE_HOOK_NOT_FOUND"
  | "HOOKLINE_HOOK_CONFLICT"
  | "HOOKLINE_HOOK_PAYLOAD_INVALID"
  | "HOOKLINE_REPLAY_DIVERGENCE"
  | "HOOKLINE_WORKFLOW_NOT_REGISTERED"
  | "HOOKLINE_STEP_NOT_REGISTERED"
  | "HOOKLINE_SERIALIZATION"
  | "HOOKLINE_INVALID_ARGUMENT"
  | "HOOKLINE_NOT_IN_WORKFLOW"
  | "HOOKLINE_NOT_IN_STEP"
  | "HOOKLINE_SANDBOX"
  | "HOOKLINE_RUN_NOT_FOUND"
  | "HOOKLINE_RUN_CANCELLED"
  | "HOOKLINE_RUN_FAILED"
  | "HOOKLINE_EVENT_CONFLICT"
  | "HOOKLINE_DUPLICATE_DELIVERY"
  | "HOOKLINE_DUPLICATE_START"
  | "HOOKLINE_STREAM_CLOSED"
  | "HOOKLINE_WORLD"
  | "HOOKLINE_CONFIG";

function hasCode(value: unknown, codes: readonly ErrorCode[]): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    codes.includes((value as { code: ErrorCode }).code)
  );
}

export class HooklineError extends Error {
  override name = "HooklineError";
  readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? "HOOKLINE_ERROR";
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any Hookline error, from either realm. */
  static is(value: unknown): value is HooklineError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Fails a step at once, without retries; thrown from a workflow it fails the run. */
export class FatalError extends HooklineError {
  override name = "FatalError";
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(message, { code: "HOOKLINE_FATAL", ...options });
  }
  static override is(value: unknown): value is FatalError {
    return hasCode(value, ["HOOKLINE_FATAL", "HOOKLINE_HOOK_TIMEOUT"]);
  }
}

/** Retries a step after `retryAfter` (ms, a duration string such as "5s", or a Date). */
export class RetryableError extends HooklineError {
  override name = "RetryableError";
  readonly retryAfter: number | string | Date | undefined;
  constructor(message: string, options?: { retryAfter?: number | string | Date; cause?: unknown }) {
    super(message, { code: "HOOKLINE_RETRYABLE", cause: options?.cause });
    this.retryAfter = options?.retryAfter;
  }
  static override is(value: unknown): value is RetryableError {
    return hasCode(value, ["HOOKLINE_RETRYABLE"]);
  }
}

/** The awaited hook or webhook reached its `timeout` before a payload arrived. */
export class HookTimeoutError extends FatalError {
  override name = "HookTimeoutError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_HOOK_TIMEOUT" });
  }
  static override is(value: unknown): value is HookTimeoutError {
    return hasCode(value, ["HOOKLINE_HOOK_TIMEOUT"]);
  }
}

export class HookNotFoundError extends HooklineError {
  override name = "HookNotFoundError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "HOOKLINE_HOOK_NOT_FOUND" });
  }
  static override is(value: unknown): value is HookNotFoundError {
    return hasCode(value, ["HOOKLINE_HOOK_NOT_FOUND"]);
  }
}

/** A second active wait asked for a token that another wait holds. */
export class HookConflictError extends HooklineError {
  override name = "HookConflictError";
  /** The run whose active wait holds the token. */
  readonly heldBy: string | undefined;
  constructor(message: string, options?: { cause?: unknown; heldBy?: string }) {
    super(message, { cause: options?.cause, code: "HOOKLINE_HOOK_CONFLICT" });
    this.heldBy = options?.heldBy;
  }
  static override is(value: unknown): value is HookConflictError {
    return hasCode(value, ["HOOKLINE_HOOK_CONFLICT"]);
  }
}

/** A hook payload failed the hook's schema; `issues` are the schema's own. */
export class HookPayloadError extends HooklineError {
  override name = "HookPayloadError";
  readonly issues: readonly unknown[];
  constructor(message: string, issues: readonly unknown[] = []) {
    super(message, { code: "HOOKLINE_HOOK_PAYLOAD_INVALID" });
    this.issues = issues;
  }
  static override is(value: unknown): value is HookPayloadError {
    return hasCode(value, ["HOOKLINE_HOOK_PAYLOAD_INVALID"]);
  }
}

export class ReplayDivergenceError extends HooklineError {
  override name = "ReplayDivergenceError";
  /** What the log recorded and what the code now does at that point (e.g. `step "…//charge"`), and the event's seq. */
  readonly recorded?: string;
  readonly actual?: string;
  readonly seq?: number;
  /**
   * The arguments of the call the code now makes (a step's or a child run's), serialized as the
   * workflow serialized them; the recorded call's are in the log at `seq`. Kept with the run's
   * failure so the inspector shows both calls side by side.
   */
  readonly actualArgs?: unknown;
  constructor(message: string, details?: { recorded: string; actual: string; seq: number; actualArgs?: unknown }) {
    super(message, { code: "HOOKLINE_REPLAY_DIVERGENCE" });
    if (details) {
      this.recorded = details.recorded;
      this.actual = details.actual;
      this.seq = details.seq;
      if (details.actualArgs !== undefined) this.actualArgs = details.actualArgs;
    }
  }
  static override is(value: unknown): value is ReplayDivergenceError {
    return hasCode(value, ["HOOKLINE_REPLAY_DIVERGENCE"]);
  }
}

export class WorkflowNotRegisteredError extends HooklineError {
  override name = "WorkflowNotRegisteredError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_WORKFLOW_NOT_REGISTERED" });
  }
  static override is(value: unknown): value is WorkflowNotRegisteredError {
    return hasCode(value, ["HOOKLINE_WORKFLOW_NOT_REGISTERED"]);
  }
}

export class StepNotRegisteredError extends HooklineError {
  override name = "StepNotRegisteredError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_STEP_NOT_REGISTERED" });
  }
  static override is(value: unknown): value is StepNotRegisteredError {
    return hasCode(value, ["HOOKLINE_STEP_NOT_REGISTERED"]);
  }
}

/** A value cannot be serialized; the message names its path, e.g. `args[0].customer.socket`. */
export class SerializationError extends HooklineError {
  override name = "SerializationError";
  readonly path: string;
  constructor(message: string, path: string) {
    super(message, { code: "HOOKLINE_SERIALIZATION" });
    this.path = path;
  }
  static override is(value: unknown): value is SerializationError {
    return hasCode(value, ["HOOKLINE_SERIALIZATION"]);
  }
}

export class InvalidArgumentError extends HooklineError {
  override name = "InvalidArgumentError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_INVALID_ARGUMENT" });
  }
  static override is(value: unknown): value is InvalidArgumentError {
    return hasCode(value, ["HOOKLINE_INVALID_ARGUMENT"]);
  }
}

/** A workflow-only or step-only API was used in the wrong place, or the sandbox forbids it. */
export class ContextError extends HooklineError {
  override name = "ContextError";
  constructor(message: string, code: "HOOKLINE_NOT_IN_WORKFLOW" | "HOOKLINE_NOT_IN_STEP" | "HOOKLINE_SANDBOX") {
    super(message, { code });
  }
  static override is(value: unknown): value is ContextError {
    return hasCode(value, ["HOOKLINE_NOT_IN_WORKFLOW", "HOOKLINE_NOT_IN_STEP", "HOOKLINE_SANDBOX"]);
  }
}

/** No run has this id. The Workflow SDK calls it WorkflowRunNotFoundError: both names are exported. */
export class RunNotFoundError extends HooklineError {
  override name = "RunNotFoundError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_RUN_NOT_FOUND" });
  }
  static override is(value: unknown): value is RunNotFoundError {
    return hasCode(value, ["HOOKLINE_RUN_NOT_FOUND"]);
  }
}

/** Run.returnValue of a cancelled run rejects with this (RunCancelledError is its older name). */
export class WorkflowRunCancelledError extends HooklineError {
  override name = "WorkflowRunCancelledError";
  /** The cancelled run ("" when rebuilt from a record that did not keep it). */
  readonly runId: string;
  constructor(message: string, options?: { runId?: string }) {
    super(message, { code: "HOOKLINE_RUN_CANCELLED" });
    this.runId = options?.runId ?? "";
  }
  static override is(value: unknown): value is WorkflowRunCancelledError {
    return hasCode(value, ["HOOKLINE_RUN_CANCELLED"]);
  }
}

/**
 * Who failed a run: "USER_ERROR" when the workflow's code threw (or a step failed for good),
 * "RUNTIME_ERROR" when Hookline could not run it (a replay divergence, a workflow or step that
 * is not in this build, the world failing).
 */
export type RunFailureCode = "USER_ERROR" | "RUNTIME_ERROR";

const RUNTIME_CODES: readonly string[] = [
  "HOOKLINE_REPLAY_DIVERGENCE",
  "HOOKLINE_WORKFLOW_NOT_REGISTERED",
  "HOOKLINE_STEP_NOT_REGISTERED",
  "HOOKLINE_EVENT_CONFLICT",
  "HOOKLINE_WORLD",
  "HOOKLINE_CONFIG",
];

/** Whether a run's error is the workflow's own ("USER_ERROR") or Hookline's ("RUNTIME_ERROR"). */
function runFailureCode(error: unknown): RunFailureCode {
  return HooklineError.is(error) && RUNTIME_CODES.includes(error.code) ? "RUNTIME_ERROR" : "USER_ERROR";
}

/**
 * Run.returnValue of a failed run rejects with this; `cause` is the workflow's own error (its
 * class, message, stack and fields), `errorCode` says whether the user's code or the runtime
 * failed it. As in the Workflow SDK, `cause.code` is that same classification when the cause has
 * no `code` of its own (a Hookline error keeps its HOOKLINE_* code).
 */
export class WorkflowRunFailedError extends HooklineError {
  override name = "WorkflowRunFailedError";
  readonly runId: string;
  readonly errorCode: RunFailureCode;
  declare readonly cause: Error & { code?: string };
  constructor(runId: string, cause: unknown) {
    const error = cause instanceof Error || HooklineError.is(cause) ? (cause as Error) : new Error(String(cause));
    super(`Workflow run "${runId}" failed: ${error.message}`, { cause: error, code: "HOOKLINE_RUN_FAILED" });
    this.runId = runId;
    this.errorCode = runFailureCode(error);
    if (typeof error === "object" && error !== null && !("code" in error) && Object.isExtensible(error)) {
      Object.defineProperty(error, "code", {
        value: this.errorCode,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
  static override is(value: unknown): value is WorkflowRunFailedError {
    return hasCode(value, ["HOOKLINE_RUN_FAILED"]);
  }
}

/** Older names, kept: the same classes. */
export const RunCancelledError = WorkflowRunCancelledError;
export const WorkflowRunNotFoundError = RunNotFoundError;
export type RunCancelledError = WorkflowRunCancelledError;
export type WorkflowRunNotFoundError = RunNotFoundError;

/** Another writer appended at the same position of a run's log first. */
export class EventConflictError extends HooklineError {
  override name = "EventConflictError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_EVENT_CONFLICT" });
  }
  static override is(value: unknown): value is EventConflictError {
    return hasCode(value, ["HOOKLINE_EVENT_CONFLICT"]);
  }
}

/**
 * A webhook delivery with this dedupe key is in the hook's log already: nothing was appended.
 * `requestId` and `seq` name the first delivery, whose answer a repeat gets.
 */
export class DuplicateDeliveryError extends HooklineError {
  override name = "DuplicateDeliveryError";
  readonly requestId: string;
  readonly seq: number;
  constructor(message: string, first: { requestId: string; seq: number }) {
    super(message, { code: "HOOKLINE_DUPLICATE_DELIVERY" });
    this.requestId = first.requestId;
    this.seq = first.seq;
  }
  static override is(value: unknown): value is DuplicateDeliveryError {
    return hasCode(value, ["HOOKLINE_DUPLICATE_DELIVERY"]);
  }
}

/**
 * A world refused a `run_created` whose idempotency key an unexpired run already holds; nothing
 * was appended. `runId` and `workflowId` name the run holding the key.
 */
export class DuplicateStartError extends HooklineError {
  override name = "DuplicateStartError";
  readonly runId: string;
  readonly workflowId: string;
  constructor(message: string, holder: { runId: string; workflowId: string }) {
    super(message, { code: "HOOKLINE_DUPLICATE_START" });
    this.runId = holder.runId;
    this.workflowId = holder.workflowId;
  }
  static override is(value: unknown): value is DuplicateStartError {
    return hasCode(value, ["HOOKLINE_DUPLICATE_START"]);
  }
}

/** A write to a run's stream after the stream was closed (by `writer.close()`, or because its run ended). */
export class StreamClosedError extends HooklineError {
  override name = "StreamClosedError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_STREAM_CLOSED" });
  }
  static override is(value: unknown): value is StreamClosedError {
    return hasCode(value, ["HOOKLINE_STREAM_CLOSED"]);
  }
}

/** The world (storage or queue) failed or is misconfigured. */
export class WorldError extends HooklineError {
  override name = "WorldError";
  constructor(message: string, options?: { cause?: unknown; code?: "HOOKLINE_WORLD" | "HOOKLINE_CONFIG" }) {
    super(message, { cause: options?.cause, code: options?.code ?? "HOOKLINE_WORLD" });
  }
  static override is(value: unknown): value is WorldError {
    return hasCode(value, ["HOOKLINE_WORLD", "HOOKLINE_CONFIG"]);
  }
}

/** Hookline is configured wrongly (a missing secret, a bad URL); the message says what to set. */
export class ConfigError extends HooklineError {
  override name = "ConfigError";
  constructor(message: string) {
    super(message, { code: "HOOKLINE_CONFIG" });
  }
  static override is(value: unknown): value is ConfigError {
    return hasCode(value, ["HOOKLINE_CONFIG"]);
  }
}
