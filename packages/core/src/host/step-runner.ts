/**
 * Runs one attempt of a step on the host and decides what the log records: the result, or
 * the failure and whether (and when) another attempt is due.
 */
import { parseDuration, resolveDeadline } from "../shared/duration.js";
import {
  FatalError,
  HooklineError,
  RetryableError,
  SerializationError,
  StepNotRegisteredError,
} from "../shared/errors.js";
import { deserialize, serializeAsync } from "../shared/serialization/index.js";
import type { StreamRef } from "../shared/stream-ref.js";
import type { Serialized } from "../world/events.js";
import { type RegisteredStep, registries, type StepContext } from "./registry.js";
import { pointAtStep, remapErrorStacks } from "./stack-remap.js";
import { invokeStep } from "./step-values.js";

export type StepOutcome = { ok: true; result: Serialized } | { ok: false; error: Serialized; retryAt?: number };

export interface RetryPolicy {
  /** Retries after the first attempt when the step sets no `maxRetries` (default 3). */
  maxRetries: number;
  /** First backoff delay; doubles per attempt (default 1 s). */
  baseDelayMs: number;
  /** Longest backoff delay (default 1 h). */
  maxDelayMs: number;
}

export function maxRetriesOf(step: RegisteredStep | undefined, policy: RetryPolicy): number {
  const value = step?.fn.maxRetries;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : policy.maxRetries;
}

export async function runStep(
  step: RegisteredStep | undefined,
  context: StepContext,
  call: { args?: Serialized; closure?: Serialized; self?: Serialized },
  policy: RetryPolicy,
): Promise<StepOutcome> {
  const maxRetries = maxRetriesOf(step, policy);
  let error: unknown;
  try {
    if (!step) {
      throw new StepNotRegisteredError(
        `Step "${context.stepId}" is not registered in this process: its file was not compiled in step mode, or it was renamed or removed since the run started.`,
      );
    }
    // Arguments are read inside the step's context: a received webhook request rebuilds its real URL there.
    const value = await registries().currentStep.run(context, () => {
      // getWritable()'s handle arrives as a WritableStream into the run's stream, another step's
      // ReadableStream as a live reader of the stream it was copied into.
      const options = {
        createStream: (ref: StreamRef) =>
          ref.kind === "readable" ? context.readable(ref.namespace) : context.writable(ref.namespace),
      };
      const argv = deserialize(call.args ?? [], options) as unknown[];
      // An instance-method step runs with the `this` the workflow called it on.
      if (call.self !== undefined) return Reflect.apply(step.fn, deserialize(call.self, options), argv);
      return invokeStep(step, call.closure === undefined ? undefined : deserialize(call.closure, options), argv);
    });
    try {
      // A ReadableStream in the result is copied into the run's stream; the receiver reads it live.
      return {
        ok: true,
        result: await serializeAsync(value, "result", { readable: (stream) => context.pipe(stream) }),
      };
    } catch (cause) {
      // Retrying cannot make the same value serializable.
      error = new FatalError(
        `Step "${context.stepName}" returned a value that cannot be recorded: ${(cause as Error).message}`,
        {
          cause,
        },
      );
      pointAtStep(error as Error, context.stepId);
    }
  } catch (thrown) {
    remapErrorStacks(thrown, context.stepName);
    error = thrown;
  }
  return { ok: false, error: await recordError(error), ...retry(error, context.attempt, maxRetries, policy) };
}

function retry(error: unknown, attempt: number, maxRetries: number, policy: RetryPolicy): { retryAt?: number } {
  if (FatalError.is(error) || SerializationError.is(error) || attempt > maxRetries) return {};
  const now = Date.now();
  if (RetryableError.is(error) && error.retryAfter !== undefined) {
    try {
      const after = error.retryAfter;
      return {
        retryAt:
          typeof after === "number"
            ? now + parseDuration(after, "retryAfter")
            : resolveDeadline(after, now, "retryAfter"),
      };
    } catch {
      // An unusable retryAfter falls back to the backoff below.
    }
  }
  return { retryAt: now + Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs) };
}

/** Any thrown value as a recordable error. */
export async function recordError(error: unknown): Promise<Serialized> {
  try {
    return await serializeAsync(error, "error");
  } catch {
    const message = error instanceof Error ? error.message : String(error);
    return serializeAsync(new HooklineError(message));
  }
}
