/**
 * A run's stream as a value that crosses serialization: `getWritable()` in a workflow returns a
 * WorkflowWritable, which a step receives as a real WritableStream into the same stream. Values
 * carry their reference under a registry symbol, so the serializer (the same code in the sandbox
 * and on the host) recognises them from either realm. Recorded as `{ "$t": "Stream", kind, ns }`.
 */
import { DEFAULT_NAMESPACE, NAMESPACE_PATTERN } from "../world/streams.js";
import { ContextError, InvalidArgumentError } from "./errors.js";

export const STREAM_REF = Symbol.for("hookline.stream");

export interface StreamRef {
  /** "writable": getWritable()'s handle; "readable": a ReadableStream handed over by a step. */
  kind: "writable" | "readable";
  namespace: string;
}

/** The stream reference a value carries, if any. */
export function streamRefOf(value: object): StreamRef | undefined {
  const ref = (value as Record<symbol, unknown>)[STREAM_REF] as StreamRef | undefined;
  return ref && typeof ref === "object" && typeof ref.namespace === "string" ? ref : undefined;
}

export function markStream<T extends object>(value: T, ref: StreamRef): T {
  Object.defineProperty(value, STREAM_REF, { value: ref, enumerable: false });
  return value;
}

function workflowCannotWrite(): never {
  throw new ContextError(
    'A workflow cannot write to its stream itself (writes are side effects, and workflow code is replayed). Pass the value of getWritable() to a "use step" function and write there.',
    "HOOKLINE_SANDBOX",
  );
}

/**
 * getWritable()'s value in workflow code: a handle to pass to steps. Its WritableStream methods
 * fail with a pointer to the step that should write.
 */
export class WorkflowWritable {
  constructor(namespace: string) {
    markStream(this, { kind: "writable", namespace });
  }

  get locked(): boolean {
    return false;
  }

  getWriter(): never {
    return workflowCannotWrite();
  }

  write(): never {
    return workflowCannotWrite();
  }

  close(): never {
    return workflowCannotWrite();
  }

  abort(): never {
    return workflowCannotWrite();
  }
}

function readOutsideStep(): never {
  throw new ContextError(
    'This ReadableStream came from a step: a workflow can pass it on (to a step, or as its result) but not read it. Read it in a "use step" function, or with run.getReadable() on the server.',
    "HOOKLINE_SANDBOX",
  );
}

/** A step's ReadableStream as workflow code sees it: a handle to pass on, not to read. */
export class WorkflowReadable {
  constructor(namespace: string) {
    markStream(this, { kind: "readable", namespace });
  }

  get locked(): boolean {
    return false;
  }

  getReader(): never {
    return readOutsideStep();
  }

  pipeTo(): never {
    return readOutsideStep();
  }

  pipeThrough(): never {
    return readOutsideStep();
  }

  tee(): never {
    return readOutsideStep();
  }

  cancel(): never {
    return readOutsideStep();
  }

  [Symbol.asyncIterator](): never {
    return readOutsideStep();
  }
}

/** The namespace `getWritable()` / `getReadable()` options name (default "default"), checked. */
export function namespaceOption(options: { namespace?: unknown } | undefined, where: string): string {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidArgumentError(
      `${where}: the options must be an object like { namespace: "progress" }, got ${typeof options}.`,
    );
  }
  const namespace = options?.namespace ?? DEFAULT_NAMESPACE;
  if (typeof namespace !== "string" || !NAMESPACE_PATTERN.test(namespace)) {
    throw new InvalidArgumentError(
      `${where}: the namespace must be 1–100 letters, digits, "_", "-" or ".", got ${typeof namespace === "string" ? JSON.stringify(namespace) : typeof namespace}.`,
    );
  }
  return namespace;
}
