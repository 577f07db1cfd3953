/**
 * Run views for the pages: status, steps with their timings, pending waits, and the result.
 * Status, result and waits come from hookline/api; step timings and run listing come from the
 * event log, which hookline/api does not expose yet, through the runtime's internal entry.
 */
import "server-only";
import { getRuntime } from "@hookline/core/runtime";
import { getRun, listHooks } from "hookline/api";

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
}

/** "workflow//workflows/checkout.ts//checkout" → "checkout". */
const shortName = (id: string) => id.split("//").at(-1) ?? id;

export async function describeRun(runId: string): Promise<RunView | null> {
  const runtime = await getRuntime();
  const summary = await runtime.world.getRun(runId);
  if (!summary) return null;
  const events = await runtime.world.readEvents(runId);
  const steps = new Map<string, StepView>();
  const sleeps = new Map<string, WaitView>();
  for (const event of events) {
    const corr = event.corr ?? "";
    switch (event.type) {
      case "step_started": {
        const step = steps.get(corr) ?? { id: corr, name: shortName(event.data.stepId), status: "running", attempts: 0, startedAt: event.at, endedAt: null };
        step.attempts = event.data.attempt;
        step.status = "running";
        steps.set(corr, step);
        break;
      }
      case "step_completed":
      case "step_failed": {
        const step = steps.get(corr);
        if (!step) break;
        step.endedAt = event.at;
        step.status = event.type === "step_completed" ? "completed" : event.data.retryAt ? "retrying" : "failed";
        break;
      }
      case "sleep_started":
        sleeps.set(corr, { kind: "sleep", label: "sleep", since: event.at, until: event.data.until });
        break;
      case "sleep_completed":
        sleeps.delete(corr);
        break;
    }
  }
  const over = summary.status === "completed" || summary.status === "failed" || summary.status === "cancelled";
  const hooks = over ? [] : await listHooks({ runId });
  const waits: WaitView[] = [
    ...hooks.map((hook) => ({
      kind: hook.kind,
      label: hook.kind === "webhook" ? `webhook ${hook.tokenHashPrefix}…` : hookLabel(hook.metadata) ?? `hook ${hook.tokenHashPrefix}…`,
      since: hook.createdAt.getTime(),
      until: hook.expiresAt?.getTime() ?? null,
    })),
    ...(over ? [] : sleeps.values()),
  ];
  const view: RunView = {
    runId,
    workflow: shortName(summary.workflowId),
    status: summary.status,
    createdAt: summary.createdAt,
    endedAt: summary.endedAt ?? null,
    steps: [...steps.values()],
    waits,
  };
  if (summary.status === "completed") view.result = await getRun(runId).returnValue;
  if (summary.status === "failed") view.error = (await getRun(runId).error)?.message ?? "failed";
  return view;
}

function hookLabel(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== "object") return null;
  const m = metadata as Record<string, unknown>;
  if (typeof m.fileName === "string") return `upload of ${m.fileName}`;
  if (typeof m.description === "string") return `decision on “${m.description}”`;
  return null;
}

export async function recentRuns(limit = 20): Promise<RunView[]> {
  const runtime = await getRuntime();
  const summaries = await runtime.world.listRuns({ limit });
  const views = await Promise.all(summaries.map((s) => describeRun(s.runId)));
  return views.filter((v): v is RunView => v !== null);
}
