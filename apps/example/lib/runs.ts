/**
 * Run views for the pages: status, steps with their timings, pending waits, and the result,
 * all read through hookline/api.
 */
import "server-only";
import { getRun, listRuns, type RunInfo, RunNotFoundError } from "hookline/api";

export interface StepView {
  /** The operation id in its run (stable across attempts). */
  id: string;
  name: string;
  status: "running" | "completed" | "retrying" | "failed";
  attempts: number;
  startedAt: number;
  endedAt: number | null;
}

export interface WaitView {
  kind: "hook" | "webhook" | "sleep";
  label: string;
  since: number;
  until: number | null;
}

export interface RunView {
  runId: string;
  workflow: string;
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  createdAt: number;
  endedAt: number | null;
  steps: StepView[];
  waits: WaitView[];
  result?: unknown;
  error?: string;
  /** The run whose workflow started this one (a child run), else null. */
  parentRunId: string | null;
}

export async function describeRun(runId: string): Promise<RunView | null> {
  try {
    return await view(await getRun(runId).info());
  } catch (error) {
    if (RunNotFoundError.is(error)) return null;
    throw error;
  }
}

async function view(info: RunInfo): Promise<RunView> {
  const run = getRun(info.runId);
  const [steps, waits] = await Promise.all([run.steps(), run.waits()]);
  const result: RunView = {
    runId: info.runId,
    workflow: info.workflowName,
    status: info.status,
    createdAt: info.createdAt.getTime(),
    endedAt: info.endedAt?.getTime() ?? null,
    parentRunId: info.parentRunId ?? null,
    steps: steps.map((step) => ({
      id: step.id,
      name: step.name,
      status: step.status,
      attempts: step.attempts,
      startedAt: step.startedAt.getTime(),
      endedAt: step.endedAt?.getTime() ?? null,
    })),
    waits: waits.map((wait) => ({
      kind: wait.kind,
      label: wait.kind === "sleep" ? "sleep" : (hookLabel(wait.metadata) ?? wait.kind),
      since: wait.since.getTime(),
      until: wait.until?.getTime() ?? null,
    })),
  };
  if (info.status === "completed") result.result = await run.returnValue;
  if (info.status === "failed") result.error = (await run.error)?.message ?? "failed";
  return result;
}

function hookLabel(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== "object") return null;
  const m = metadata as Record<string, unknown>;
  if (typeof m.fileName === "string") return `upload of ${m.fileName}`;
  if (typeof m.description === "string") return `decision on “${m.description}”`;
  return null;
}

export async function recentRuns(limit = 20): Promise<RunView[]> {
  return Promise.all((await listRuns({ limit })).map(view));
}
