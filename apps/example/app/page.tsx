import Link from "next/link";

const SCENARIOS = [
  {
    href: "/checkout",
    title: "Checkout",
    text: "A payment provider reports to a webhook URL, event after event. Each request is answered inline from a step; the run keeps a ledger and ends on the final event.",
  },
  {
    href: "/verify",
    title: "Document verification",
    text: "A vendor checks a document and calls back, racing a durable deadline: verified, rejected, or timed out.",
  },
  {
    href: "/approval",
    title: "Human approval",
    text: "The run waits, at no cost, for a person to approve or reject. A server action resumes it.",
  },
  {
    href: "/import",
    title: "Large import by reference",
    text: "The run waits on the hook upload:<id>; the file goes to storage and only its key reaches the run.",
  },
  {
    href: "/answer",
    title: "Streaming answer",
    text: "A step writes an answer word by word into the run's stream; the page reads it live and picks up where it was after a reload.",
  },
  {
    href: "/runs",
    title: "Runs",
    text: "Recent runs with their status, steps and timings, and what they are waiting for.",
  },
];

export default function Home() {
  return (
    <>
      <h1>Durable workflows, clicked through</h1>
      <p className="lede">
        Each page starts a workflow that survives restarts and waits for the outside world: simulated services in this
        app call the workflow back on its webhook URL after a short delay, as a payment provider or a verifier would.
      </p>
      <div className="grid">
        {SCENARIOS.map((s) => (
          <Link key={s.href} href={s.href} className="card">
            <h2>{s.title}</h2>
            <p>{s.text}</p>
          </Link>
        ))}
      </div>
    </>
  );
}
