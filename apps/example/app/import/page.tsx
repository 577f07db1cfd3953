"use client";
import { useState } from "react";
import { isOver, RunPanel, useRun } from "@/components/run-panel";

type Result = {
  importId: string;
  fileName: string;
  objectKey: string;
  bytes: number;
  rows: number;
  imported: number;
  batches: number;
};

const ROWS = 2_500;

/** A CSV the browser makes up, standing in for a file too large to pass through a run's log. */
function makeCsv(rows: number): string {
  const lines = ["id,name,email"];
  for (let i = 1; i <= rows; i++) lines.push(`${i},Customer ${i},customer${i}@example.com`);
  return `${lines.join("\n")}\n`;
}

export default function ImportPage() {
  const [started, setStarted] = useState<{ runId: string; importId: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [upload, setUpload] = useState<{ progress: number; done: boolean; error?: string } | null>(null);
  const run = useRun(started?.runId ?? null);
  const result = run?.status === "completed" ? (run.result as Result) : null;
  const waitingForUpload = run !== null && run.waits.some((w) => w.kind === "hook");

  async function begin() {
    setBusy(true);
    setUpload(null);
    try {
      const response = await fetch("/api/imports", {
        method: "POST",
        body: JSON.stringify({ fileName: "customers.csv" }),
      });
      setStarted(await response.json());
    } finally {
      setBusy(false);
    }
  }

  async function sendFile() {
    if (!started) return;
    setBusy(true);
    // A pretend slow upload, so there is something to watch; then one PUT to storage.
    for (let p = 0; p <= 80; p += 20) {
      setUpload({ progress: p, done: false });
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    const response = await fetch(`/api/uploads/${started.importId}`, { method: "PUT", body: makeCsv(ROWS) });
    setUpload(
      response.ok ? { progress: 100, done: true } : { progress: 100, done: true, error: (await response.json()).error },
    );
    setBusy(false);
  }

  const running = started !== null && !isOver(run);
  return (
    <>
      <h1>Large import by reference</h1>
      <p className="lede">
        The workflow waits on a hook with the token <code>upload:&lt;id&gt;</code>. The browser uploads the file to
        storage; when the upload completes, an API route resumes the run with the file&apos;s key, never the file
        itself. Steps then read it from storage in batches.
      </p>
      <div className="columns">
        <div className="card">
          <h2>1. Start the import</h2>
          <div className="actions">
            <button type="button" onClick={begin} disabled={busy || running}>
              Start import
            </button>
          </div>
          {started ? (
            <p className="muted small">
              The run waits on hook <span className="mono">upload:{started.importId}</span>
            </p>
          ) : null}
        </div>
        <div className="card">
          <h2>2. Upload the file</h2>
          <p className="muted small">customers.csv · {ROWS.toLocaleString("en")} rows</p>
          <div
            className="progress"
            role="progressbar"
            aria-label="upload progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={upload?.progress ?? 0}
          >
            <div style={{ width: `${upload?.progress ?? 0}%` }} />
          </div>
          <div className="actions">
            <button type="button" disabled={!waitingForUpload || busy || upload?.done === true} onClick={sendFile}>
              Upload customers.csv
            </button>
          </div>
          {upload?.error ? (
            <p className="error">{upload.error}</p>
          ) : upload?.done ? (
            <p className="muted small">Uploaded; the run was resumed.</p>
          ) : null}
        </div>
      </div>
      {started ? (
        <div className="columns" style={{ marginTop: "1rem" }}>
          <RunPanel run={run} title="Import run" />
          {result ? (
            <section className="panel" aria-label="import result">
              <p className="outcome verified" data-testid="outcome">
                {result.imported.toLocaleString("en")} rows imported
              </p>
              <p className="muted">
                {result.batches} batches from <span className="mono">{result.objectKey}</span> (
                {(result.bytes / 1024).toFixed(1)} KiB), read by reference.
              </p>
            </section>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
