"use client";
import { formatMs, StatusBadge } from "@/components/run-panel";
import { usePoll } from "@/components/use-poll";
import type { RunView } from "@/lib/run-types";

function ago(ms: number): string {
  if (ms < 5_000) return "just now";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

export default function RunsPage() {
  const data = usePoll<{ runs: RunView[]; now: number }>("/api/runs", 1500);
  return (
    <>
      <h1>Runs</h1>
      <p className="lede">
        The most recent runs, newest first, with each step&apos;s timing and what a run is waiting for. This page
        refreshes by itself. For everything else (each event, arguments and results, pending waits, refused deliveries,
        cancel, resume, rerun) open the <a href="/.well-known/workflow/v1/inspect">inspector</a>, which every app with
        withWorkflow serves.
      </p>
      <section className="panel">
        {data === null ? (
          <p className="muted">Loading…</p>
        ) : data.runs.length === 0 ? (
          <p className="muted">No runs yet: start one from another page.</p>
        ) : (
          <table className="runs-table">
            <thead>
              <tr>
                <th>workflow</th>
                <th>status</th>
                <th>started</th>
                <th>took</th>
                <th>steps and waits</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => (
                <tr key={run.runId} data-testid="run-row">
                  <td>
                    <strong>{run.workflow}</strong>
                    <a
                      className="muted small mono"
                      title={run.runId}
                      href={`/.well-known/workflow/v1/inspect/runs/${run.runId}`}
                    >
                      {run.runId.slice(0, 14)}…
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td className="small nowrap">{ago(data.now - run.createdAt)}</td>
                  <td className="small nowrap">{run.endedAt ? formatMs(run.endedAt - run.createdAt) : "…"}</td>
                  <td className="steps">
                    {run.steps.map((step) => (
                      <span key={step.id} className="chip" title={step.status}>
                        {step.name} {step.endedAt ? formatMs(step.endedAt - step.startedAt) : step.status}
                      </span>
                    ))}
                    {run.waits.map((wait) => (
                      <span key={`${wait.kind}-${wait.since}-${wait.label}`} className="chip chip-wait">
                        waiting: {wait.label}
                      </span>
                    ))}
                    {run.error ? <div className="error small">{run.error}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
