"use client";
import { useState } from "react";
import { Deliveries } from "@/components/deliveries";
import { isOver, RunPanel, useRun } from "@/components/run-panel";
import type { LedgerLine } from "@/workflows/checkout";

type Result = { orderId: string; status: "paid" | "declined"; ledger: LedgerLine[]; receipt: string | null };

export default function CheckoutPage() {
  const [started, setStarted] = useState<{ runId: string; orderId: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useRun(started?.runId ?? null);
  const result = run?.status === "completed" ? (run.result as Result) : null;

  async function pay(card: "good" | "declined") {
    setBusy(true);
    try {
      const response = await fetch("/api/checkout", { method: "POST", body: JSON.stringify({ card }) });
      setStarted(await response.json());
    } finally {
      setBusy(false);
    }
  }

  const running = started !== null && !isOver(run);
  return (
    <>
      <h1>Checkout</h1>
      <p className="lede">
        The workflow creates a webhook with <code>respondWith: &quot;manual&quot;</code> and hands its URL to the
        payment provider. The provider posts several events there; a step records each one and answers the provider
        inline. The run ends on the final event.
      </p>
      <div className="card">
        <h2>Order: 42.00 EUR</h2>
        <div className="actions">
          <button type="button" disabled={busy || running} onClick={() => pay("good")}>
            Pay with a good card
          </button>
          <button type="button" className="secondary" disabled={busy || running} onClick={() => pay("declined")}>
            Pay with a card that is declined
          </button>
        </div>
        {started ? <p className="muted small mono">order {started.orderId}</p> : null}
      </div>
      {started ? (
        <div className="columns" style={{ marginTop: "1rem" }}>
          <div className="stack">
            <RunPanel run={run} title="Checkout run" />
            {result ? (
              <section className="panel" aria-label="ledger">
                <p className={`outcome ${result.status}`} data-testid="outcome">
                  {result.status}
                </p>
                {result.receipt ? <p data-testid="receipt">{result.receipt}</p> : null}
                <table>
                  <thead>
                    <tr>
                      <th>#</th>
                      <th>ledger</th>
                      <th>amount</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.ledger.map((line) => (
                      <tr key={line.line}>
                        <td>{line.line}</td>
                        <td className="mono">{line.event}</td>
                        <td>{(line.amountCents / 100).toFixed(2)} EUR</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ) : null}
          </div>
          <Deliveries
            url={`/api/fake-psp/payments?orderId=${started.orderId}`}
            title="Payment provider's log"
            empty="The provider has not called the webhook yet."
          />
        </div>
      ) : null}
    </>
  );
}
