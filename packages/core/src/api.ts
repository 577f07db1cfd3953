/**
 * `hookline/api`: server code outside workflows starts runs, reads them and resumes hooks.
 * Each call uses the process's runtime (see host/global-runtime.ts).
 */
import { getRuntime } from "./host/global-runtime.js";
import { Run, type RunInfo, runInfo } from "./host/run.js";
import type { Runtime, StartOptions, WorkflowReference } from "./host/runtime.js";
import type { RunStatus } from "./world/events.js";
import type { HookRecord } from "./world/world.js";
import { deserialize } from "./shared/serialization/index.js";

export { Run, type RunInfo } from "./host/run.js";
export type { StepInfo, WaitInfo } from "./host/run-views.js";
export type { RunStatus, WorkflowEvent } from "./world/events.js";
export type { StartOptions } from "./host/runtime.js";
export * from "./shared/errors.js";

type WorkflowArgs<W> = W extends (...args: infer A) => unknown ? A : unknown[];
type WorkflowResult<W> = W extends (...args: never[]) => Promise<infer R> ? R : W extends (...args: never[]) => infer R ? R : unknown;

/** Enqueues a run of `workflow` and returns at once. */
export async function start<W extends WorkflowReference | ((...args: never[]) => unknown)>(
  workflow: W,
  args?: WorkflowArgs<W>,
  options?: StartOptions,
): Promise<Run<WorkflowResult<W>>> {
  const runtime = await getRuntime();
  return (await runtime.start(workflow as WorkflowReference, (args ?? []) as unknown[], options)) as Run<WorkflowResult<W>>;
}

/** Runs, newest first: filter by status (one or several) and workflow; at most `limit` (default 100). */
export async function listRuns(options: { status?: RunStatus | RunStatus[]; workflowId?: string; limit?: number } = {}): Promise<RunInfo[]> {
  const runtime = await getRuntime();
  return (await runtime.world.listRuns(options)).map(runInfo);
}

/** A handle on an existing run (its methods fail with RunNotFoundError if there is none). */
export function getRun<T = unknown>(runId: string): Run<T> {
  return new Run<T>(runId, getRuntime);
}

/** Delivers `payload` to the hook holding `token`; HookNotFoundError if there is none or it ended. */
export async function resumeHook<T = unknown>(token: string, payload: T): Promise<{ runId: string }> {
  return (await getRuntime()).resumeHook(token, payload);
}

/** Makes the `await` on the hook holding `token` throw `error`. */
export async function rejectHook(token: string, error: unknown): Promise<{ runId: string }> {
  return (await getRuntime()).rejectHook(token, error);
}

/** Forwards a request your own route received to the webhook holding `token` and returns the workflow's answer; HookNotFoundError if there is none or it ended. */
export async function resumeWebhook(token: string, request: Request): Promise<Response> {
  return (await getRuntime()).resumeWebhook(token, request);
}

export interface PendingHook {
  /** The first 12 hex digits of the token's SHA-256: enough to tell hooks apart, useless to resume one. */
  tokenHashPrefix: string;
  runId: string;
  /** The hook's place in its run (its operation id). */
  hookId: string;
  kind: "hook" | "webhook";
  status: "active" | "ended";
  metadata: unknown;
  createdAt: Date;
  expiresAt: Date | undefined;
  /** Delivers `payload` to this wait (server code only: no token needed). */
  resume(payload: unknown): Promise<{ runId: string }>;
  /** Makes the awaiting code throw `error`. */
  reject(error: unknown): Promise<{ runId: string }>;
}

/** The pending waits (or, with status "ended", finished ones) for dashboards and debugging; never the raw token. */
export async function listHooks(options: { runId?: string; status?: "active" | "ended" } = {}): Promise<PendingHook[]> {
  const runtime = await getRuntime();
  const records = await runtime.world.listHooks({ status: "active", ...options });
  return records.map((record) => toPendingHook(runtime, record));
}

function toPendingHook(runtime: Runtime, record: HookRecord): PendingHook {
  return {
    tokenHashPrefix: record.tokenHash.slice(0, 12),
    runId: record.runId,
    hookId: record.hookId,
    kind: record.kind,
    status: record.status,
    metadata: record.metadata === undefined ? undefined : deserialize(record.metadata),
    createdAt: new Date(record.createdAt),
    expiresAt: record.expiresAt === undefined ? undefined : new Date(record.expiresAt),
    resume: (payload) => runtime.deliver(record, payload),
    reject: (error) => runtime.reject(record, error),
  };
}
