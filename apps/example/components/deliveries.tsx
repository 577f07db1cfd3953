"use client";
import type { Delivery } from "@/lib/outside-services";
import { usePoll } from "./use-poll";

/** What a simulated outside service sent to the webhook URL, and the answer it got back. */
export function Deliveries({ url, title, empty }: { url: string | null; title: string; empty: string }) {
  const data = usePoll<{ deliveries: Delivery[] }>(url, 600);
  const deliveries = data?.deliveries ?? [];
  return (
    <section className="panel" aria-label={title}>
      <h3>{title}</h3>
      {deliveries.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>sent</th>
              <th>answer</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={`${d.at}-${d.event}`}>
                <td className="mono event">{d.event}</td>
                <td>
                  <strong>{d.status ?? "…"}</strong> <span className="mono small">{d.answer}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
