/**
 * start()'s options, checked before anything is recorded: only known options, an idempotency
 * key (and its TTL) and a concurrency limit of the right shapes, each refusal naming the option.
 *
 *   const { key, concurrency } = checkStartOptions(options);   // or InvalidArgumentError
 */
import { parseDuration } from "../shared/duration.js";
import { InvalidArgumentError } from "../shared/errors.js";
import type { Concurrency } from "./concurrency-slots.js";

export interface StartOptions {
  /** Overrides the base URL recorded for this run's webhooks. */
  baseUrl?: string;
  /**
   * Starts at most one run per key: a start with a key an earlier run holds returns that run
   * (atomically, across processes and instances). A different workflow under the same key is refused.
   */
  idempotencyKey?: string;
  /** How long the key stays with its run (ms or "1h", "7d" …); default: for ever. */
  idempotencyKeyTTL?: string | number;
  /**
   * At most `limit` runs sharing `key` execute steps at once, across processes and instances;
   * a run that sleeps or waits on a hook holds no slot, and runs waiting for one get it in the
   * order they asked (see docs/start-control.md).
   */
  concurrency?: Concurrency;
}

/** The longest idempotency key, in UTF-16 code units (keys are stored and indexed as they are). */
const MAX_IDEMPOTENCY_KEY = 512;

/** A value as an error message names it. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function")
    return `a plain function${value.name ? ` (${value.name})` : ""} without a workflowId`;
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const START_OPTIONS: ReadonlySet<string> = new Set<keyof StartOptions>([
  "baseUrl",
  "idempotencyKey",
  "idempotencyKeyTTL",
  "concurrency",
]);

/** The longest concurrency key, in UTF-16 code units (stored and indexed as it is, like idempotency keys). */
const MAX_CONCURRENCY_KEY = 512;

/** start()'s concurrency option, checked; undefined without one. */
function concurrencyOf(value: unknown): Concurrency | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `start(): concurrency must be an object { key, limit }, e.g. { key: \`user:\${id}\`, limit: 2 }; got ${describeValue(value)}.`,
    );
  }
  for (const name of Object.keys(value)) {
    if (name !== "key" && name !== "limit")
      throw new InvalidArgumentError(`start(): unknown field "concurrency.${name}". Known fields: key, limit.`);
  }
  const { key, limit } = value as { key?: unknown; limit?: unknown };
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_CONCURRENCY_KEY) {
    throw new InvalidArgumentError(
      `start(): concurrency.key must be a string of 1 to ${MAX_CONCURRENCY_KEY} characters, got ${key === undefined ? "none" : describeValue(key)}.`,
    );
  }
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(
      `start(): concurrency.limit must be a whole number ≥ 1, got ${limit === undefined ? "none" : describeValue(limit)}.`,
    );
  }
  return { key, limit };
}

/** start()'s idempotency options, checked (with the options object itself); null without a key. */
function startKey(options: StartOptions): { key: string; ttlMs?: number } | null {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`start(): the options must be an object, got ${describeValue(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (!START_OPTIONS.has(name)) {
      throw new InvalidArgumentError(
        `start(): unknown option "${name}". Known options: ${[...START_OPTIONS].join(", ")}.`,
      );
    }
  }
  const { idempotencyKey: key, idempotencyKeyTTL: ttl } = options;
  if (key === undefined) {
    if (ttl !== undefined)
      throw new InvalidArgumentError("start(): idempotencyKeyTTL was given without an idempotencyKey.");
    return null;
  }
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new InvalidArgumentError(
      `start(): idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY} characters, got ${describeValue(key)}.`,
    );
  }
  if (ttl === undefined) return { key };
  const ttlMs = parseDuration(ttl, "start(): idempotencyKeyTTL");
  if (ttlMs <= 0)
    throw new InvalidArgumentError(`start(): idempotencyKeyTTL must be longer than 0, got ${JSON.stringify(ttl)}.`);
  return { key, ttlMs };
}

/** All of start()'s options, checked. */
export function checkStartOptions(options: StartOptions): {
  key: { key: string; ttlMs?: number } | null;
  concurrency: Concurrency | undefined;
} {
  return { key: startKey(options), concurrency: concurrencyOf(options.concurrency) };
}
