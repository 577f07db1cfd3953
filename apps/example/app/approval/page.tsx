"use client";
import { useState } from "react";
import { isOver, RunPanel, useRun } from "@/components/run-panel";
import { decide, requestApproval } from "./actions";

type Result = {
  requestId: string;
  status: "approved" | "rejected";
  reviewer: string;
  payoutId?: string;
  note?: string | null;
};

export default function ApprovalPage() {
  const [description, setDescription] = useState("Conference ticket");
  const [amount, setAmount] = useState("249");
  const [started, setStarted] = useState<{ runId: string; requestId: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [decided, setDecided] = useState(false);
  const run = useRun(started?.runId ?? null);
  const result = run?.status === "completed" ? (run.result as Result) : null;
  const waiting = run !== null && run.waits.some((w) => w.kind === "hook");

  async function submit() {
    setBusy(true);
    setDecided(false);
    try {
      setStarted(await requestApproval(description, Number(amount)));
    } finally {
      setBusy(false);
    }
  }

  async function answer(approved: boolean) {
    if (!started) return;
    setBusy(true);
    try {
      await decide(started.requestId, approved, approved ? undefined : "Not in this quarter's budget");
      setDecided(true);
    } finally {
      setBusy(false);
    }
  }

  const running = started !== null && !isOver(run);
  return (
    <>
      <h1>Human approval</h1>
      <p className="lede">
        The workflow creates a hook with <code>defineHook</code> and waits for a person: no process, no timer, no cost
        while it waits. Approve or Reject resumes it through a server action; a rejection takes the other branch.
      </p>
      <div className="columns">
        <div className="card">
          <h2>Expense request</h2>
          <label>
            What for
            <input value={description} onChange={(e) => setDescription(e.target.value)} disabled={running} />
          </label>
          <label>
            Amount (EUR)
            <input value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} disabled={running} />
          </label>
          <div className="actions">
            <button type="button" onClick={submit} disabled={busy || running}>
              Request approval
            </button>
          </div>
        </div>
        <div className="card">
          <h2>Approver</h2>
          {started ? (
            <p className="muted">
              {waiting && !decided
                ? "A request is waiting for your decision."
                : result
                  ? "Decided."
                  : decided
                    ? "Decision sent…"
                    : "Waiting for the request…"}
            </p>
          ) : (
            <p className="muted">Nothing to decide yet.</p>
          )}
          <div className="actions">
            <button
              type="button"
              className="success"
              disabled={!waiting || busy || decided}
              onClick={() => answer(true)}
            >
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={!waiting || busy || decided}
              onClick={() => answer(false)}
            >
              Reject
            </button>
          </div>
        </div>
      </div>
      {started ? (
        <div className="columns" style={{ marginTop: "1rem" }}>
          <RunPanel run={run} title="Approval run" />
          {result ? (
            <section className="panel" aria-label="approval result">
              <p className={`outcome ${result.status}`} data-testid="outcome">
                {result.status}
              </p>
              {result.payoutId ? (
                <p>
                  Payout scheduled: <span className="mono">{result.payoutId}</span>
                </p>
              ) : null}
              {result.note ? <p className="muted">Reason: {result.note}</p> : null}
            </section>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
