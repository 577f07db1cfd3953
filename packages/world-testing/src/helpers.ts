/** Small tools for world tests: unique ids, token hashes, events as the runtime appends them, waiting. */
import { createHash, randomUUID } from "node:crypto";
import type { NewEvent, WorkflowEvent, World } from "@hookline/core/world";

/** An id no other test (or earlier run of the suite on a shared database) uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, "")}`;
}

/** The SHA-256 (hex) of a token: what the runtime hands a world instead of the token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export const newTokenHash = () => hashToken(uniqueId("token"));

type Data<T extends NewEvent["type"]> = Extract<NewEvent, { type: T }>["data"];

/** Events as the runtime appends them; `at` defaults to now. */
export const ev = {
  runCreated: (workflowId = "wf//conformance", at = Date.now()): NewEvent => ({
    type: "run_created",
    at,
    data: { workflowId, args: [{ orderId: 1 }], seed: "seed" },
  }),
  runStarted: (at = Date.now()): NewEvent => ({ type: "run_started", at, data: {} }),
  runCompleted: (at = Date.now(), result: unknown = { ok: true }): NewEvent => ({
    type: "run_completed",
    at,
    data: { result },
  }),
  runFailed: (at = Date.now()): NewEvent => ({
    type: "run_failed",
    at,
    data: { error: { name: "Error", message: "boom" } },
  }),
  runCancelled: (at = Date.now()): NewEvent => ({ type: "run_cancelled", at, data: { reason: "test" } }),
  stepStarted: (corr: string, at = Date.now(), attempt = 1): NewEvent => ({
    type: "step_started",
    corr,
    at,
    data: { stepId: "step//noop", attempt },
  }),
  stepCompleted: (corr: string, result: unknown = null, at = Date.now()): NewEvent => ({
    type: "step_completed",
    corr,
    at,
    data: { stepId: "step//noop", result },
  }),
  hookCreated: (
    corr: string,
    tokenHash: string,
    extra: Partial<Data<"hook_created">> = {},
    at = Date.now(),
  ): NewEvent => ({
    type: "hook_created",
    corr,
    at,
    data: { kind: "hook", tokenHash, ...extra },
  }),
  hookReceived: (corr: string, payload: unknown = { hello: "world" }, at = Date.now()): NewEvent => ({
    type: "hook_received",
    corr,
    at,
    data: { payload },
  }),
  hookRejected: (corr: string, at = Date.now()): NewEvent => ({
    type: "hook_rejected",
    corr,
    at,
    data: { error: { message: "rejected" } },
  }),
  hookDisposed: (corr: string, at = Date.now()): NewEvent => ({ type: "hook_disposed", corr, at, data: {} }),
  hookTimedOut: (corr: string, at = Date.now()): NewEvent => ({ type: "hook_timed_out", corr, at, data: {} }),
  hookConflicted: (corr: string, heldBy: string, at = Date.now()): NewEvent => ({
    type: "hook_conflicted",
    corr,
    at,
    data: { heldBy },
  }),
};

/** Appends `events` in order after `afterSeq`; returns what the world stored. */
export async function appendAll(
  world: World,
  runId: string,
  events: NewEvent[],
  afterSeq = 0,
): Promise<WorkflowEvent[]> {
  const stored: WorkflowEvent[] = [];
  let seq = afterSeq;
  for (const event of events) {
    stored.push(await world.append(runId, event, { expectedSeq: seq }));
    seq++;
  }
  return stored;
}

/** Creates a run (run_created, optionally run_started) and returns its id. */
export async function createRun(
  world: World,
  options: { runId?: string; workflowId?: string; at?: number; started?: boolean } = {},
): Promise<string> {
  const runId = options.runId ?? uniqueId("run");
  const events = [ev.runCreated(options.workflowId, options.at)];
  if (options.started) events.push(ev.runStarted(options.at));
  await appendAll(world, runId, events);
  return runId;
}

export type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/** Polls `check` every few ms until it returns something truthy; fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** A promise to hold a handler until the test opens it. */
export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The settled outcome of each promise, as `{ ok: true, value }` or `{ ok: false, error }`. */
export async function settle<T>(
  promises: Promise<T>[],
): Promise<Array<{ ok: true; value: T } | { ok: false; error: unknown }>> {
  const results = await Promise.allSettled(promises);
  return results.map((r) =>
    r.status === "fulfilled" ? { ok: true as const, value: r.value } : { ok: false as const, error: r.reason },
  );
}
