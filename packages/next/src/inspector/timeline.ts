/**
 * A run's log as a timeline a person reads: one row per event, steps named with their attempt,
 * duration and retry delay, sleeps with their wake-up, hooks with every delivery and answer.
 * Webhook tokens are never in the log (only their hash): rows show a short hash prefix.
 */
import type { WorkflowEvent } from "@hookline/core/world";
import { countdown, formatDuration, type Html, html, time } from "./html.js";
import { valueBlock } from "./values.js";

const nameOf = (id: string) => id.split("//").pop() ?? id;

export interface TimelineRow {
  event: WorkflowEvent;
  label: string;
  detail: Html;
}

/** Rows for the events from index `from` on; the earlier ones only inform them (a step's duration). */
export function timeline(events: readonly WorkflowEvent[], now: number, from = 0): TimelineRow[] {
  const opened = new Map<string, WorkflowEvent>();
  const ended = new Set<string>();
  for (const event of events) {
    if (event.corr && /_(completed|timed_out|disposed|conflicted)$/.test(event.type)) ended.add(event.corr);
  }
  const rows: TimelineRow[] = [];
  for (const [index, event] of events.entries()) {
    const corr = event.corr ?? "";
    if (index < from) {
      if (event.type === "step_started") opened.set(corr, event);
      continue;
    }
    const started = opened.get(corr);
    switch (event.type) {
      case "run_created":
        rows.push({
          event,
          label: "run created",
          detail: html`${nameOf(event.data.workflowId)}${event.data.concurrency ? ` · concurrency ${event.data.concurrency.key} (limit ${String(event.data.concurrency.limit)})` : ""}${event.data.bundleId ? html` · build <code>${event.data.bundleId.slice(0, 12)}</code>` : ""}`,
        });
        break;
      case "run_started":
        rows.push({ event, label: "run started", detail: html`` });
        break;
      case "run_upgraded":
        rows.push({
          event,
          label: "moved to a new build",
          detail: html`build <code>${event.data.bundleId.slice(0, 12)}</code> (upgradeRun)`,
        });
        break;
      case "patch_marked":
        rows.push({ event, label: `patched("${event.data.patchId}")`, detail: html`this run took the patched path` });
        break;
      case "run_completed":
        rows.push({ event, label: "run completed", detail: valueBlock(event.data.result) });
        break;
      case "run_failed":
        rows.push({ event, label: "run failed", detail: valueBlock(event.data.error) });
        break;
      case "run_cancelled":
        rows.push({ event, label: "run cancelled", detail: html`${event.data.reason ?? ""}` });
        break;
      case "step_started":
        opened.set(corr, event);
        rows.push({
          event,
          label: `step ${nameOf(event.data.stepId)}`,
          detail: html`attempt ${event.data.attempt}${event.data.args === undefined ? "" : html`<div class="label">arguments</div>${valueBlock(event.data.args)}`}`,
        });
        break;
      case "step_completed":
        rows.push({
          event,
          label: `step ${nameOf(event.data.stepId)} completed`,
          detail: html`${took(started, event)}${valueBlock(event.data.result)}`,
        });
        break;
      case "step_failed": {
        const retry =
          event.data.retryAt === undefined
            ? html`<strong>failed for good</strong>`
            : html`retry in ${formatDuration(event.data.retryAt - event.at)} (at ${time(event.data.retryAt)})`;
        rows.push({
          event,
          label: `step ${nameOf(event.data.stepId)} attempt ${event.data.attempt} failed`,
          detail: html`${took(started, event)}${retry}${valueBlock(event.data.error)}`,
        });
        break;
      }
      case "sleep_started":
        rows.push({
          event,
          label: "sleep",
          detail: html`until ${time(event.data.until)} ${ended.has(corr) ? "" : countdown(event.data.until, now)}`,
        });
        break;
      case "sleep_completed":
        rows.push({ event, label: event.data.early ? "sleep woken early" : "sleep ended", detail: html`` });
        break;
      case "hook_created":
        rows.push({
          event,
          label: `${event.data.kind} created`,
          detail: html`token hash <code>${event.data.tokenHash.slice(0, 12)}</code>${event.data.definition === undefined ? "" : html`, defineHook <code>${event.data.definition}</code>`}${event.data.expiresAt === undefined ? "" : html`, expires ${time(event.data.expiresAt)}`}${event.data.webhook ? html`, methods ${event.data.webhook.methods.join(", ")}, respond ${typeof event.data.webhook.respondWith === "string" ? event.data.webhook.respondWith : event.data.webhook.respondWith === undefined ? "202" : "static response"}` : ""}${event.data.metadata === undefined ? "" : html`<div class="label">metadata</div>${valueBlock(event.data.metadata)}`}`,
        });
        break;
      case "hook_received":
        rows.push({
          event,
          label: "delivery received",
          detail: html`${event.data.requestId ? html`request <code>${event.data.requestId}</code> ` : ""}${event.data.dedupeKey ? html`dedupe key <code>${event.data.dedupeKey}</code>` : ""}${valueBlock(event.data.payload)}`,
        });
        break;
      case "webhook_responded":
        rows.push({
          event,
          label: `answer sent${event.data.late ? " (late)" : ""}`,
          detail: html`request <code>${event.data.requestId}</code>${valueBlock(event.data.response)}`,
        });
        break;
      case "hook_rejected":
        rows.push({ event, label: "hook rejected", detail: valueBlock(event.data.error) });
        break;
      case "hook_conflicted":
        rows.push({ event, label: "hook token conflict", detail: html`held by run ${event.data.heldBy}` });
        break;
      case "hook_disposed":
      case "hook_timed_out":
        rows.push({ event, label: event.type.replace("_", " ").replace("_", " "), detail: html`` });
        break;
      case "child_started":
        rows.push({
          event,
          label: `child ${nameOf(event.data.workflowId)} started`,
          detail: html`run <code>${event.data.childRunId}</code>${event.data.detached ? " (detached: not cancelled with this run)" : ""}`,
        });
        break;
      case "child_ended": {
        const { status, childRunId } = event.data;
        const value =
          status === "completed"
            ? valueBlock(event.data.result)
            : status === "failed"
              ? valueBlock(event.data.error)
              : html`${event.data.reason ?? ""}`;
        rows.push({ event, label: `child ${status}`, detail: html`run <code>${childRunId}</code>${value}` });
        break;
      }
    }
  }
  return rows;
}

function took(started: WorkflowEvent | undefined, end: WorkflowEvent): Html {
  return started ? html`<span class="muted">took ${formatDuration(end.at - started.at)} · </span>` : html``;
}
