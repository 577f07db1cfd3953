/**
 * What dashboards show of a run, derived from its log: its steps with their timings and
 * attempts, and the waits it is in (sleeps and hooks).
 */
import { deserialize } from "../shared/serialization/index.js";
import type { WorkflowEvent } from "../world/events.js";

export interface StepInfo {
  /** The step call's id in its run (stable across attempts). */
  id: string;
  stepId: string;
  name: string;
  status: "running" | "retrying" | "completed" | "failed";
  attempts: number;
  startedAt: Date;
  endedAt: Date | undefined;
  /** The last failure's message (a retrying or failed step). */
  error: string | undefined;
  /** When the next attempt is due (a retrying step). */
  retryAt: Date | undefined;
}

export interface WaitInfo {
  /** The operation's id in its run. */
  id: string;
  kind: "sleep" | "hook" | "webhook";
  since: Date;
  /** A sleep's wake-up, or a hook's timeout. */
  until: Date | undefined;
  metadata: unknown;
}

const nameOf = (id: string) => id.split("//").pop() ?? id;
const messageOf = (error: unknown) => {
  const value = deserialize(error) as { message?: unknown } | null;
  return typeof value?.message === "string" ? value.message : String(value);
};

export function stepsOf(events: readonly WorkflowEvent[]): StepInfo[] {
  const steps = new Map<string, StepInfo>();
  for (const event of events) {
    if (!event.corr) continue;
    if (event.type === "step_started") {
      const step = steps.get(event.corr) ?? {
        id: event.corr,
        stepId: event.data.stepId,
        name: nameOf(event.data.stepId),
        status: "running",
        attempts: 0,
        startedAt: new Date(event.at),
        endedAt: undefined,
        error: undefined,
        retryAt: undefined,
      };
      step.attempts = event.data.attempt;
      step.status = "running";
      step.retryAt = undefined;
      steps.set(event.corr, step);
    } else if (event.type === "step_completed" || event.type === "step_failed") {
      const step = steps.get(event.corr);
      if (!step) continue;
      if (event.type === "step_completed") {
        step.status = "completed";
        step.endedAt = new Date(event.at);
      } else {
        step.error = messageOf(event.data.error);
        step.status = event.data.retryAt === undefined ? "failed" : "retrying";
        step.retryAt = event.data.retryAt === undefined ? undefined : new Date(event.data.retryAt);
        if (step.status === "failed") step.endedAt = new Date(event.at);
      }
    }
  }
  return [...steps.values()];
}

/**
 * The sleeps and hooks the run is waiting in (none once it has ended). A hook stays active after
 * a delivery (it may be awaited again, as in `for await`), so one that has received something is
 * listed only while the workflow has not gone on to wait for anything else since its last
 * delivery: after `await webhook; await sleep("1d")` the run waits in the sleep alone. (A hook
 * raced against a newer sleep, `Promise.race([hook, sleep("1h")])` in a loop, is therefore left
 * out until its next delivery: the log does not record what a workflow awaits.)
 */
export function waitsOf(events: readonly WorkflowEvent[]): WaitInfo[] {
  const waits = new Map<string, WaitInfo>();
  /** Seq at which each unfinished operation (wait, step, child run) began. */
  const begun = new Map<string, number>();
  /** Seq of each hook's last delivery. */
  const delivered = new Map<string, number>();
  for (const event of events) {
    const corr = event.corr;
    switch (event.type) {
      case "sleep_started":
        waits.set(corr!, {
          id: corr!,
          kind: "sleep",
          since: new Date(event.at),
          until: new Date(event.data.until),
          metadata: undefined,
        });
        begun.set(corr!, event.seq);
        break;
      case "hook_created":
        waits.set(corr!, {
          id: corr!,
          kind: event.data.kind,
          since: new Date(event.at),
          until: event.data.expiresAt === undefined ? undefined : new Date(event.data.expiresAt),
          metadata: event.data.metadata === undefined ? undefined : deserialize(event.data.metadata),
        });
        begun.set(corr!, event.seq);
        break;
      case "hook_received":
        delivered.set(corr!, event.seq);
        break;
      case "step_started":
      case "child_started":
        if (!begun.has(corr!)) begun.set(corr!, event.seq);
        break;
      case "step_completed":
      case "child_ended":
        begun.delete(corr!);
        break;
      case "step_failed":
        if (event.data.retryAt === undefined) begun.delete(corr!);
        break;
      case "sleep_completed":
      case "hook_disposed":
      case "hook_timed_out":
        waits.delete(corr!);
        begun.delete(corr!);
        break;
      case "run_completed":
      case "run_failed":
      case "run_cancelled":
        return [];
    }
  }
  let newest = 0;
  for (const seq of begun.values()) newest = Math.max(newest, seq);
  return [...waits.values()].filter((wait) => (delivered.get(wait.id) ?? Number.POSITIVE_INFINITY) > newest);
}
