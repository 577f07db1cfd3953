/**
 * `hookline/api`: server code outside workflows starts runs, reads them and resumes hooks.
 * Each call uses the process's runtime (see host/global-runtime.ts).
 */
import { getRuntime } from "./host/global-runtime.js";
import "./host/step-values.js";
import { checkHealth, type HealthCheckEndpoint, type HealthCheckResult } from "./host/health.js";
import { registries, type WorkflowBundleSource } from "./host/registry.js";
import { checkLog, type ReplayReport } from "./host/replay-check.js";
import { Run, type RunInfo, runInfo } from "./host/run.js";
import type { Runtime, StartOptions, WorkflowReference } from "./host/runtime.js";
import { WorkflowBundle } from "./host/sandbox.js";
import type { ScheduleInfo } from "./host/scheduler.js";
import type { UpgradeResult } from "./host/upgrade-run.js";
import { InvalidArgumentError, WorkflowNotRegisteredError } from "./shared/errors.js";
import type { ScheduleOptions } from "./shared/public-types.js";
import { deserialize } from "./shared/serialization/index.js";
import { bundleIdOf } from "./world/bundles.js";
import type { RunStatus, WorkflowEvent } from "./world/events.js";
import type { HookRecord } from "./world/world.js";

export type { ReplayReport } from "./host/replay-check.js";
export { Run, type RunInfo } from "./host/run.js";
export type { StepInfo, WaitInfo } from "./host/run-views.js";
export type { StartOptions } from "./host/runtime.js";
export type { ScheduleInfo } from "./host/scheduler.js";
export {
  bytesResponse,
  ndjsonResponse,
  type SseResponseOptions,
  type StreamResponseOptions,
  sseResponse,
} from "./host/streams/responses.js";
export type { WorkflowReadableStream } from "./host/streams/stream-reader.js";
export type { UpgradeResult } from "./host/upgrade-run.js";
export * from "./shared/errors.js";
export type { ScheduleOptions } from "./shared/public-types.js";
export {
  registerSerializableClass,
  type SerializableClass,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "./shared/serialization/index.js";
export type { RunStatus, WorkflowEvent } from "./world/events.js";

type WorkflowArgs<W> = W extends (...args: infer A) => unknown ? A : unknown[];
type WorkflowResult<W> = W extends (...args: never[]) => Promise<infer R>
  ? R
  : W extends (...args: never[]) => infer R
    ? R
    : unknown;

/** start()'s options inside a workflow, where it starts a child run (see docs/start-control.md). */
export interface ChildStartOptions {
  /** The child is not cancelled when its parent is (default false: cancelling a parent cancels its running children). */
  detached?: boolean;
}

/**
 * Enqueues a run of `workflow` and returns at once. Inside a workflow it starts a child run
 * exactly once, and takes only ChildStartOptions (the workflow bundle has its own `start`).
 */
export async function start<W extends WorkflowReference | ((...args: never[]) => unknown)>(
  workflow: W,
  args?: WorkflowArgs<W>,
  options?: StartOptions | ChildStartOptions,
): Promise<Run<WorkflowResult<W>>> {
  if (typeof options === "object" && options !== null && "detached" in options) {
    throw new InvalidArgumentError(
      'start(): option "detached" is for a child run, started by start() inside a workflow; a run started by server code has no parent to be detached from.',
    );
  }
  const runtime = await getRuntime();
  return (await runtime.start(
    workflow as WorkflowReference,
    (args ?? []) as unknown[],
    options as StartOptions | undefined,
  )) as Run<WorkflowResult<W>>;
}

/**
 * Cron schedules, declared beside workflows (`schedule()` from "hookline") and created with
 * createSchedule(), each with its next tick, and its latest tick's run once one ran. One run per
 * tick across every instance; see docs/start-control.md.
 */
export async function listSchedules(): Promise<ScheduleInfo[]> {
  return (await getRuntime()).listSchedules();
}

/**
 * Runs `workflow` on a cron schedule from now on, e.g. per customer:
 *
 *   await createSchedule(sendReport, { id: `report:${customerId}`, cron: "0 8 * * 1", timezone: "Europe/Berlin", args: [customerId] });
 *
 * `id` is the dedupe key: with an existing id and the same definition the existing schedule is
 * returned (`created: false`); with another definition the call is refused (delete it first).
 * A cron or timezone that does not parse is refused, naming the field, and nothing is stored.
 */
export async function createSchedule<W extends WorkflowReference | ((...args: never[]) => unknown)>(
  workflow: W,
  options: ScheduleOptions<WorkflowArgs<W>> & { id: string },
): Promise<ScheduleInfo & { created: boolean }> {
  return (await getRuntime()).createSchedule(workflow as WorkflowReference, options as ScheduleOptions);
}

/** Removes a schedule made with createSchedule(): no tick of it starts a run after this returns. False if there was none. */
export async function deleteSchedule(id: string): Promise<boolean> {
  return (await getRuntime()).deleteSchedule(id);
}

/**
 * Runs, newest first: filter by status (one or several), workflow, and `rerunOf` (the reruns of a run);
 * at most `limit` (default 100). Page on with `before: { createdAt, runId }` of the last run of the previous page.
 */
export async function listRuns(
  options: {
    status?: RunStatus | RunStatus[];
    workflowId?: string;
    rerunOf?: string;
    limit?: number;
    before?: { createdAt: Date | number; runId: string };
  } = {},
): Promise<RunInfo[]> {
  const runtime = await getRuntime();
  const { before, ...rest } = options;
  const cursor = before === undefined ? undefined : { createdAt: Number(before.createdAt), runId: before.runId };
  return (await runtime.world.listRuns({ ...rest, before: cursor })).map(runInfo);
}

/** A handle on an existing run (its methods fail with RunNotFoundError if there is none). */
export function getRun<T = unknown>(runId: string): Run<T> {
  return new Run<T>(runId, getRuntime);
}

/** Starts run `runId` again (same workflow and arguments) as a new run that records `rerunOf: runId`. */
export async function rerun<T = unknown>(runId: string): Promise<Run<T>> {
  return (await (await getRuntime()).rerun(runId)) as Run<T>;
}

/**
 * Moves in-flight run `runId` to the current build (to fix a bug in its workflow): refused with a
 * ReplayDivergenceError naming both calls unless its log replays cleanly on the current bundle.
 */
export async function upgradeRun(runId: string): Promise<UpgradeResult> {
  return (await getRuntime()).upgradeRun(runId);
}

/**
 * Replays a recorded log (a run's events, or `{ events }` as `hookline inspect events --json`
 * prints them) on the current build's workflow bundle, or `options.bundle`, without running
 * anything; the report names the first divergence with both calls. For tests over recorded logs.
 */
export async function replayLog(
  log: WorkflowEvent[] | { events: WorkflowEvent[] },
  options: { bundle?: WorkflowBundleSource } = {},
): Promise<ReplayReport> {
  const events = Array.isArray(log) ? log : log?.events;
  if (!Array.isArray(events))
    throw new InvalidArgumentError("replayLog(): pass a run's events (an array), or { events }.");
  const source = options.bundle ?? registries().bundle;
  if (!source)
    throw new WorkflowNotRegisteredError(
      "replayLog(): no workflow bundle is registered in this process: pass { bundle: { code } }.",
    );
  if (replayBundle?.source.code !== source.code) replayBundle = new WorkflowBundle(source, bundleIdOf(source.code));
  return checkLog(events, replayBundle);
}

let replayBundle: WorkflowBundle | null = null;

/** Ends sleep `sleepId` of run `runId` now (the `id` of a "sleep" in `run.waits()`); false if it had already ended. */
export async function wakeSleep(runId: string, sleepId: string): Promise<boolean> {
  return (await getRuntime()).wakeSleep(runId, sleepId);
}

/**
 * Delivers `payload` to the hook holding `token`; HookNotFoundError if there is none or it ended.
 * A hook made by defineHook({ id, schema }) (loaded in this process) takes only payloads that pass
 * the schema: HookPayloadError names each failing field, and nothing is recorded.
 */
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

/** A hook as getHookByToken returns it: the Workflow SDK's `Hook` record, plus what Hookline knows of it. */
export interface HookInfo {
  /** The run waiting on this hook. */
  runId: string;
  /** The hook's place in its run (its operation id). */
  hookId: string;
  /** The token it was looked up with (the world stores only its hash). */
  token: string;
  kind: "hook" | "webhook";
  /** The `metadata` given to createHook(), deserialized. */
  metadata: unknown;
  createdAt: Date;
  /** When its `timeout` ends it, if it has one. */
  expiresAt: Date | undefined;
}

/**
 * The active hook (or webhook) holding `token`: its run, its metadata, when it was created, as
 * the Workflow SDK's getHookByToken gives them; HookNotFoundError for an unknown or ended token.
 *
 *   const hook = await getHookByToken(token);   // → { runId, hookId, token, metadata, createdAt, … }
 *   if ((hook.metadata as { userId: string }).userId !== session.userId) return new Response(null, { status: 403 });
 *   await resumeHook(token, payload);
 */
export async function getHookByToken(token: string): Promise<HookInfo> {
  const record = await (await getRuntime()).activeHook(token);
  return {
    runId: record.runId,
    hookId: record.hookId,
    token,
    kind: record.kind,
    metadata: record.metadata === undefined ? undefined : deserialize(record.metadata),
    createdAt: new Date(record.createdAt),
    expiresAt: record.expiresAt === undefined ? undefined : new Date(record.expiresAt),
  };
}

export type { HealthCheckEndpoint, HealthCheckResult } from "./host/health.js";

/** The world this process's runtime uses (storage and queue), as the Workflow SDK's getWorld() gives it. */
export async function getWorld(): Promise<Runtime["world"]> {
  return (await getRuntime()).world;
}

/**
 * Whether the workflow runtime is up, for a deployment's probe: the runtime starts, its world
 * answers, and (endpoint "workflow", the default) a workflow bundle is loaded. Never throws;
 * `timeout` defaults to 30 s. The first argument (the SDK's world) is accepted and unused:
 * Hookline checks the process's own runtime.
 */
export async function healthCheck(
  _world?: unknown,
  endpoint: HealthCheckEndpoint = "workflow",
  options: { timeout?: number } = {},
): Promise<HealthCheckResult> {
  return checkHealth(getRuntime, endpoint, options.timeout ?? 30_000);
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
  /**
   * Delivers `payload` to this wait (server code only: no token needed). A webhook takes a
   * `Request` and checks it as its URL would (method, size, signature, dedupe); `response` is
   * the webhook's answer (202, its static response, a step's answer or 504, 405, 413, 401 …).
   */
  resume(payload: unknown): Promise<{ runId: string; response?: Response }>;
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

/** A delivery the webhook route refused, kept for debugging a provider (never its body, never the raw token). */
export interface RefusedDeliveryInfo {
  runId: string;
  /** The webhook's place in its run (PendingHook.hookId). */
  hookId: string;
  /** What the sender got: 401 (signature), 405 (method), 408 (body too slow), 410 (ended), 413 (too large), 429 (rate) … */
  status: number;
  reason: string;
  method: string;
  /** The request's headers, the token redacted (and at most 8 KiB of them). */
  headers: [string, string][];
  /** The caller's address, as the route derived it. */
  address: string | undefined;
  /** Identical refusals in a row are one entry: when the first and the last came, and how many. */
  firstAt: Date;
  lastAt: Date;
  count: number;
}

/**
 * Refused deliveries to known webhooks, newest first: of one hook (`runId` and `hookId`), of a
 * run, or of every run; at most `limit` (default 100). Kept outside the run's log, at most 50
 * per hook. Requests to unknown tokens are not kept (nobody to attribute them to).
 */
export async function listRefusedDeliveries(
  options: { runId?: string; hookId?: string; limit?: number } = {},
): Promise<RefusedDeliveryInfo[]> {
  const runtime = await getRuntime();
  return (await runtime.world.listRefusals(options)).map((refusal) => ({
    runId: refusal.runId,
    hookId: refusal.hookId,
    status: refusal.status,
    reason: refusal.reason,
    method: refusal.method,
    headers: refusal.headers,
    address: refusal.address,
    firstAt: new Date(refusal.firstAt),
    lastAt: new Date(refusal.lastAt),
    count: refusal.count,
  }));
}
