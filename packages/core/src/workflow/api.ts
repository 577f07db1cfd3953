/**
 * `hookline/api` as workflow code sees it: the workflow bundle resolves "hookline/api" here (the
 * `hookline` package's export condition "hookline-workflow"), so a workflow starts child runs
 * with the same import its routes use, and the bundle never pulls in the server's runtime. Every
 * name of the server's entry is exported (test/sandbox-api.test.ts keeps them in step): `start`
 * and `getRun` work on child runs (./child.ts); the rest is server code, which throws a
 * ContextError pointing at a "use step" function.
 */
import { ContextError } from "../shared/errors.js";
import { childRun, type Run, startChild } from "./child.js";

export * from "../shared/errors.js";
export {
  registerSerializableClass,
  type SerializableClass,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "../shared/serialization/index.js";
export { Run } from "./child.js";

/** Starts a child run exactly once (replays return the same run); see ./child.ts. */
export function start<T = unknown>(
  workflow: unknown,
  args?: unknown[],
  options?: { detached?: boolean },
): Promise<Run<T>> {
  return startChild<T>(workflow, args ?? [], options);
}

/** The run `runId`: a child this workflow started (its returnValue can be awaited), else only its id. */
export function getRun<T = unknown>(runId: string): Run<T> {
  return childRun<T>(runId);
}

function serverOnly(name: string) {
  return function unavailable(): never {
    throw new ContextError(
      `${name}() from "hookline/api" is server code, which a workflow's replay cannot repeat: call it in a "use step" function.`,
      "HOOKLINE_SANDBOX",
    );
  };
}

export const listRuns = serverOnly("listRuns");
export const resumeHook = serverOnly("resumeHook");
export const rejectHook = serverOnly("rejectHook");
export const resumeWebhook = serverOnly("resumeWebhook");
export const getHookByToken = serverOnly("getHookByToken");
export const getWorld = serverOnly("getWorld");
export const healthCheck = serverOnly("healthCheck");
export const listHooks = serverOnly("listHooks");
export const listRefusedDeliveries = serverOnly("listRefusedDeliveries");
export const bytesResponse = serverOnly("bytesResponse");
export const ndjsonResponse = serverOnly("ndjsonResponse");
export const sseResponse = serverOnly("sseResponse");
export const listSchedules = serverOnly("listSchedules");
export const wakeSleep = serverOnly("wakeSleep");
export const rerun = serverOnly("rerun");
export const upgradeRun = serverOnly("upgradeRun");
export const replayLog = serverOnly("replayLog");
export const createSchedule = serverOnly("createSchedule");
export const deleteSchedule = serverOnly("deleteSchedule");
