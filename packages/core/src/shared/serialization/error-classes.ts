/** Rebuilds recorded errors as this realm's classes, so `FatalError.is(e)`, `e instanceof TypeError` and `code` keep working. */
import {
  ConfigError,
  ContextError,
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
  RunCancelledError,
  RunNotFoundError,
  SerializationError,
  StepNotRegisteredError,
  WorkflowNotRegisteredError,
  WorldError,
} from "../errors.js";

type Props = Record<string, unknown>;

const HOOKLINE: Record<ErrorCode, (message: string, props: Props) => Error> = {
  HOOKLINE_ERROR: (m) => new HooklineError(m),
  HOOKLINE_FATAL: (m) => new FatalError(m),
  HOOKLINE_RETRYABLE: (m, p) => new RetryableError(m, { retryAfter: p.retryAfter as number | string | Date | undefined }),
  HOOKLINE_HOOK_TIMEOUT: (m) => new HookTimeoutError(m),
  HOOKLINE_HOOK_NOT_FOUND: (m) => new HookNotFoundError(m),
  HOOKLINE_HOOK_CONFLICT: (m, p) => new HookConflictError(m, { heldBy: p.heldBy as string | undefined }),
  HOOKLINE_HOOK_PAYLOAD_INVALID: (m, p) => new HookPayloadError(m, (p.issues as unknown[]) ?? []),
  HOOKLINE_REPLAY_DIVERGENCE: (m) => new ReplayDivergenceError(m),
  HOOKLINE_WORKFLOW_NOT_REGISTERED: (m) => new WorkflowNotRegisteredError(m),
  HOOKLINE_STEP_NOT_REGISTERED: (m) => new StepNotRegisteredError(m),
  HOOKLINE_SERIALIZATION: (m, p) => new SerializationError(m, String(p.path ?? "")),
  HOOKLINE_INVALID_ARGUMENT: (m) => new InvalidArgumentError(m),
  HOOKLINE_NOT_IN_WORKFLOW: (m) => new ContextError(m, "HOOKLINE_NOT_IN_WORKFLOW"),
  HOOKLINE_NOT_IN_STEP: (m) => new ContextError(m, "HOOKLINE_NOT_IN_STEP"),
  HOOKLINE_SANDBOX: (m) => new ContextError(m, "HOOKLINE_SANDBOX"),
  HOOKLINE_RUN_NOT_FOUND: (m) => new RunNotFoundError(m),
  HOOKLINE_RUN_CANCELLED: (m) => new RunCancelledError(m),
  HOOKLINE_EVENT_CONFLICT: (m) => new EventConflictError(m),
  HOOKLINE_WORLD: (m) => new WorldError(m),
  HOOKLINE_CONFIG: (m) => new ConfigError(m),
};

const STANDARD = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"]);

/** A fresh error of the right class; `props` are its own recorded properties (code, issues…). */
export function createError(name: string, message: string, props: Props, hookline: boolean, errors?: unknown[]): Error {
  const code = props.code as ErrorCode | undefined;
  if (hookline && code && code in HOOKLINE) return HOOKLINE[code](message, props);
  if (name === "AggregateError" && errors) return new AggregateError(errors, message);
  const Ctor = STANDARD.has(name) ? ((globalThis as Record<string, unknown>)[name] as ErrorConstructor) : Error;
  const error = new Ctor(message);
  if (error.name !== name) Object.defineProperty(error, "name", { value: name, writable: true, configurable: true, enumerable: false });
  return error;
}
