"use client";
import { useEffect, useState } from "react";

type Status = "idle" | "streaming" | "completed" | "failed" | "cancelled";

/**
 * Reads a run's stream with the browser's EventSource. The run id is kept in the URL, so a
 * reload reattaches to the same run: the stream is read again from its first word, then live.
 * A dropped connection is resumed by EventSource itself, with Last-Event-ID.
 */
function useAnswer(runId: string | null): { text: string; status: Status } {
  const [text, setText] = useState("");
  const [status, setStatus] = useState<Status>("idle");
  useEffect(() => {
    if (!runId) return;
    setText("");
    setStatus("streaming");
    const source = new EventSource(`/api/answers/${runId}/stream`);
    source.onmessage = (event) => setText((before) => before + (JSON.parse(event.data) as string));
    source.addEventListener("end", (event) => {
      setStatus((JSON.parse((event as MessageEvent).data) as { status: Status }).status);
      // Without this, EventSource would reconnect to a stream that has ended.
      source.close();
    });
    return () => source.close();
  }, [runId]);
  return { text, status };
}

export default function AnswerPage() {
  const [runId, setRunId] = useState<string | null>(null);
  const [question, setQuestion] = useState("What is a durable workflow?");
  const [busy, setBusy] = useState(false);
  const { text, status } = useAnswer(runId);

  useEffect(() => {
    setRunId(new URLSearchParams(window.location.search).get("run"));
  }, []);

  async function ask() {
    setBusy(true);
    try {
      const response = await fetch("/api/answers", { method: "POST", body: JSON.stringify({ question }) });
      const { runId } = (await response.json()) as { runId: string };
      window.history.replaceState(null, "", `?run=${runId}`);
      setRunId(runId);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Streaming answer</h1>
      <p className="lede">
        A step writes its answer word by word into the run&apos;s stream with <code>getWritable()</code>; this page
        reads it live over Server-Sent Events. Reload the page mid-answer: it continues at the right word.
      </p>
      <div className="card">
        <label className="small muted" htmlFor="question">
          Question
        </label>
        <input id="question" value={question} onChange={(event) => setQuestion(event.target.value)} />
        <div className="actions">
          <button type="button" onClick={ask} disabled={busy || status === "streaming"}>
            Ask
          </button>
        </div>
      </div>
      {runId ? (
        <section className="panel" aria-label="answer" style={{ marginTop: "1rem" }}>
          <p className="muted small mono">
            run {runId} · <span data-testid="stream-status">{status}</span>
          </p>
          <p data-testid="answer" aria-live="polite">
            {text}
            {status === "streaming" ? <span className="muted">▍</span> : null}
          </p>
        </section>
      ) : null}
    </>
  );
}
