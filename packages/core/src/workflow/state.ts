/**
 * The workflow side of one run: the operations the workflow has made, keyed by correlation
 * id, and the entry points the host drives the run with. One copy per vm context, since the
 * bundle is evaluated once per run.
 */
import { HooklineError, WorkflowNotRegisteredError } from "../shared/errors.js";
import { deserialize, serialize } from "../shared/serialization/index.js";
import type { Serialized } from "../world/events.js";
import { host, SANDBOX_KEY, type SandboxEntry } from "./kernel.js";

type WorkflowFn = (...args: unknown[]) => unknown;
interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
/** Receives every event of one operation that has more than one (a hook, a child run); see hook.ts, child.ts. */
export interface OperationSink {
  push(type: string, data: Serialized): void;
}

const workflows = new Map<string, WorkflowFn>();
const workflowIds = new Map<unknown, string>();
const waiters = new Map<string, Waiter>();
const sinks = new Map<string, OperationSink>();
let operations = 0;

export function registerWorkflowFn(id: string, fn: WorkflowFn): void {
  workflows.set(id, fn);
  workflowIds.set(fn, id);
}

/** The id a workflow function of this bundle was registered under (start(child) names its child by it). */
export function workflowIdOf(fn: unknown): string | undefined {
  return workflowIds.get(fn);
}

/** Whether `id` names a workflow of this bundle. */
export function isWorkflowId(id: string): boolean {
  return workflows.has(id);
}

/** The next operation's correlation id: the same sequence in every replay. */
export function nextCorr(): string {
  operations += 1;
  return `o${operations}`;
}

/** A promise settled when the host delivers the operation's outcome. */
export function awaitOperation(corr: string): Promise<unknown> {
  return new Promise((resolve, reject) => waiters.set(corr, { resolve, reject }));
}

export function registerSink(corr: string, sink: OperationSink): void {
  sinks.set(corr, sink);
}

/** An error thrown by workflow code, as the host records it: any value becomes an Error. */
function serializeThrown(error: unknown, where: string): Serialized {
  try {
    return serialize(error, where);
  } catch (cause) {
    const message = error instanceof Error || HooklineError.is(error) ? (error as Error).message : String(error);
    return serialize(
      new HooklineError(`${message} (the thrown value could not be recorded: ${(cause as Error).message})`),
    );
  }
}

function settle(corr: string, outcome: (waiter: Waiter) => void): void {
  const waiter = waiters.get(corr);
  if (!waiter) return;
  waiters.delete(corr);
  outcome(waiter);
}

const entry: SandboxEntry = {
  start(workflowId, args) {
    const fn = workflows.get(workflowId);
    if (!fn) {
      const known = [...workflows.keys()].join(", ") || "none";
      host().fail(
        serialize(new WorkflowNotRegisteredError(`Workflow "${workflowId}" is not in this build (known: ${known}).`)),
      );
      return;
    }
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(fn(...(deserialize(args) as unknown[])));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => {
        let recorded: Serialized;
        try {
          recorded = serialize(value, "returnValue");
        } catch (error) {
          host().fail(serializeThrown(error, "error"));
          return;
        }
        host().complete(recorded);
      },
      (error) => host().fail(serializeThrown(error, "error")),
    );
  },

  deliver(corr, type, data) {
    const payload = data as Record<string, Serialized>;
    switch (type) {
      case "step_completed":
        settle(corr, (w) => w.resolve(deserialize(payload.result)));
        return;
      case "step_failed":
        settle(corr, (w) => w.reject(deserialize(payload.error)));
        return;
      case "sleep_completed":
        settle(corr, (w) => w.resolve(undefined));
        return;
      default:
        sinks.get(corr)?.push(type, data);
    }
  },

  workflowIds: () => [...workflows.keys()],
};

(globalThis as Record<symbol, unknown>)[SANDBOX_KEY] = entry;
