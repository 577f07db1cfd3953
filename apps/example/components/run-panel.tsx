"use client";
import type { RunView } from "@/lib/run-types";
import { usePoll } from "./use-poll";

export const isOver = (run: RunView | null): boolean =>
  run !== null && ["completed", "failed", "cancelled"].includes(run.status);

/** Polls a run until it ends. */
export function useRun(runId: string | null): RunView | null {
  return usePoll<RunView>(runId ? `/api/runs/${runId}` : null, 500, isOver);
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.replace(/\s+/g, "-")}`} data-testid="run-status">
      {status}
    </span>
  );
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The run's live status: its steps with timings and what it is waiting for. */
export function RunPanel({ run, title = "Run" }: { run: RunView | null; title?: string }) {
  if (!run) return <div className="panel muted">Starting…</div>;
  return (
    <section className="panel" aria-label="run status">
      <header className="panel-head">
        <h3>{title}</h3>
        <StatusBadge status={run.status} />
      </header>
      <p className="muted small mono">run {run.runId}</p>
      <ol className="timeline">
        {run.steps.map((step) => (
          <li key={step.id} className={`step step-${step.status}`}>
            <span className="step-name">{step.name}</span>
            <span className="step-meta">
              {step.status === "completed" && step.endedAt ? formatMs(step.endedAt - step.startedAt) : step.status}
              {step.attempts > 1 ? ` · attempt ${step.attempts}` : ""}
            </span>
          </li>
        ))}
        {run.waits.map((wait) => (
          <li key={`${wait.kind}-${wait.since}-${wait.label}`} className="step step-waiting">
            <span className="step-name">waiting: {wait.label}</span>
            <span className="step-meta">
              {wait.until ? `until ${new Date(wait.until).toLocaleTimeString()}` : "no deadline"}
            </span>
          </li>
        ))}
      </ol>
      {run.error ? <p className="error">Failed: {run.error}</p> : null}
    </section>
  );
}
