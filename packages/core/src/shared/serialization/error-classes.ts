/**
 * Rebuilds a recorded error as this realm's class, so `FatalError.is(e)`, `e instanceof
 * TypeError` and `code` keep working on either side of the vm boundary. The error is built
 * with its message only; decode-error.ts then sets its recorded fields (code, retryAfter,
 * issues, heldBy, path…) over the constructor's defaults.
 */
import {
  ConfigError,
  ContextError,
  DuplicateDeliveryError,
  DuplicateStartError,
  type ErrorCode,
  EventConflictError,
  FatalError,
  HookConflictError,
  HooklineError,
  HookNotFoundError,
  HookPayloadError,
  HookTimeoutError,
  InvalidArgumentError,
  ReplayDivergenceError,
  RetryableError,
  RunNotFoundError,
  SerializationError,
  StepNotRegisteredError,
  StreamClosedError,
  WorkflowNotRegisteredError,
  WorkflowRunCancelledError,
  WorkflowRunFailedError,
  WorldError,
} from "../errors.js";

const HOOKLINE: Record<ErrorCode, (message: string) => Error> = {
  HOOKLINE_ERROR: (m) => new HooklineError(m),
  HOOKLINE_FATAL: (m) => new FatalError(m),
  HOOKLINE_RETRYABLE: (m) => new RetryableError(m),
  HOOKLINE_HOOK_TIMEOUT: (m) => new HookTimeoutError(m),
  HOOKLINE_HOOK_NOT_FOUND: (m) => new HookNotFoundError(m),
  HOOKLINE_HOOK_CONFLICT: (m) => new HookConflictError(m),
  HOOKLINE_HOOK_PAYLOAD_INVALID: (m) => new HookPayloadError(m),
  HOOKLINE_REPLAY_DIVERGENCE: (m) => new ReplayDivergenceError(m),
  HOOKLINE_WORKFLOW_NOT_REGISTERED: (m) => new WorkflowNotRegisteredError(m),
  HOOKLINE_STEP_NOT_REGISTERED: (m) => new StepNotRegisteredError(m),
  HOOKLINE_SERIALIZATION: (m) => new SerializationError(m, ""),
  HOOKLINE_INVALID_ARGUMENT: (m) => new InvalidArgumentError(m),
  HOOKLINE_NOT_IN_WORKFLOW: (m) => new ContextError(m, "HOOKLINE_NOT_IN_WORKFLOW"),
  HOOKLINE_NOT_IN_STEP: (m) => new ContextError(m, "HOOKLINE_NOT_IN_STEP"),
  HOOKLINE_SANDBOX: (m) => new ContextError(m, "HOOKLINE_SANDBOX"),
  HOOKLINE_RUN_NOT_FOUND: (m) => new RunNotFoundError(m),
  HOOKLINE_RUN_CANCELLED: (m) => new WorkflowRunCancelledError(m),
  HOOKLINE_RUN_FAILED: (m) => Object.assign(new WorkflowRunFailedError("", new Error(m)), { message: m }),
  HOOKLINE_EVENT_CONFLICT: (m) => new EventConflictError(m),
  HOOKLINE_DUPLICATE_DELIVERY: (m) => new DuplicateDeliveryError(m, { requestId: "", seq: 0 }),
  HOOKLINE_DUPLICATE_START: (m) => new DuplicateStartError(m, { runId: "", workflowId: "" }),
  HOOKLINE_STREAM_CLOSED: (m) => new StreamClosedError(m),
  HOOKLINE_WORLD: (m) => new WorldError(m),
  HOOKLINE_CONFIG: (m) => new ConfigError(m),
};

const STANDARD = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
]);

/**
 * A fresh error of the recorded class. `hooklineCode` is set for a Hookline error: a code this
 * build does not know (written by a newer one) still gives a HooklineError, so `.is` holds.
 */
export function createError(name: string, message: string, hooklineCode: string | undefined): Error {
  let error: Error;
  if (hooklineCode !== undefined) {
    error = Object.hasOwn(HOOKLINE, hooklineCode)
      ? HOOKLINE[hooklineCode as ErrorCode](message)
      : new HooklineError(message, { code: hooklineCode as ErrorCode });
  } else if (name === "AggregateError") {
    error = new AggregateError([], message);
  } else {
    const Ctor = STANDARD.has(name) ? ((globalThis as Record<string, unknown>)[name] as ErrorConstructor) : Error;
    error = new Ctor(message);
  }
  // A subclass (PaymentDeclined extends FatalError) is rebuilt as its nearest known class, under its own name.
  if (error.name !== name) {
    if (Object.hasOwn(error, "name")) (error as { name: string }).name = name;
    else Object.defineProperty(error, "name", { value: name, writable: true, configurable: true, enumerable: false });
  }
  return error;
}
