"use client";
import { useState } from "react";
import { Deliveries } from "@/components/deliveries";
import { isOver, RunPanel, useRun } from "@/components/run-panel";

type Result = { documentId: string; result: "verified" | "rejected" | "timed out"; reason?: string };

const SCANS = [
  { scan: "clear", label: "Submit a clear scan", hint: "the vendor approves it after 1.5 s" },
  { scan: "blurry", label: "Submit a blurry scan", hint: "the vendor rejects it after 1.5 s" },
  { scan: "slow", label: "Submit to a slow vendor", hint: "the vendor answers after the deadline" },
] as const;

export default function VerifyPage() {
  const [started, setStarted] = useState<{ runId: string; documentId: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useRun(started?.runId ?? null);
  const result = run?.status === "completed" ? (run.result as Result) : null;

  async function submit(scan: string) {
    setBusy(true);
    try {
      const response = await fetch("/api/verify", { method: "POST", body: JSON.stringify({ scan }) });
      setStarted(await response.json());
    } finally {
      setBusy(false);
    }
  }

  const running = started !== null && !isOver(run);
  return (
    <>
      <h1>Document verification with a deadline</h1>
      <p className="lede">
        The workflow submits the document to a vendor with a webhook URL, then races the vendor&apos;s callback against
        a durable 6-second <code>sleep</code>. Whichever the log records first decides; a callback after the deadline
        gets
        <code> 410 Gone</code>.
      </p>
      <div className="card">
        <h2>Passport scan</h2>
        <div className="actions">
          {SCANS.map((s, index) => (
            <button
              key={s.scan}
              type="button"
              className={index === 0 ? undefined : "secondary"}
              disabled={busy || running}
              onClick={() => submit(s.scan)}
              title={s.hint}
            >
              {s.label}
            </button>
          ))}
        </div>
        <p className="muted small">
          Clear: approved after 1.5 s · Blurry: rejected after 1.5 s · Slow: answers after 9 s, past the deadline.
        </p>
      </div>
      {started ? (
        <div className="columns" style={{ marginTop: "1rem" }}>
          <div className="stack">
            {result ? (
              <section className="panel" aria-label="verification result">
                <p className="muted small">document {result.documentId}</p>
                <p className={`outcome ${result.result.replace(" ", "-")}`} data-testid="outcome">
                  {result.result}
                </p>
                {result.reason ? <p className="muted">{result.reason}</p> : null}
              </section>
            ) : null}
            <RunPanel run={run} title="Verification run" />
          </div>
          <Deliveries
            url={`/api/fake-vendor/checks?documentId=${started.documentId}`}
            title="Vendor's log"
            empty="The vendor has not called back yet."
          />
        </div>
      ) : null}
    </>
  );
}
