import { createWebhook, FatalError, getWorkflowMetadata, type RequestWithResponse } from "hookline";
import { writeReceipt } from "./receipt";

export interface LedgerLine {
  line: number;
  event: string;
  amountCents: number;
  /** What the step answered the provider with, inline on its HTTP request. */
  answer: string;
}

const TERMINAL = new Set(["payment.succeeded", "payment.failed"]);

/**
 * Checkout: hand the payment provider a webhook URL, then record each event it sends there,
 * answering every request inline from a step; the run ends on the terminal event.
 */
export async function checkout(orderId: string, amountCents: number, card: "good" | "declined") {
  "use workflow";
  const payments = createWebhook({ respondWith: "manual", timeout: "10m" });
  await requestPayment(orderId, amountCents, card, payments.url);
  const ledger: LedgerLine[] = [];
  for await (const request of payments) {
    const line = await recordPaymentEvent(request, ledger.length + 1);
    ledger.push(line);
    if (TERMINAL.has(line.event)) break;
  }
  const paid = ledger.at(-1)?.event === "payment.succeeded";
  if (!paid) return { orderId, status: "declined" as const, ledger, receipt: null };
  await fulfilOrder(orderId);
  const receipt = await writeReceipt(orderId, amountCents);
  return { orderId, status: "paid" as const, ledger, receipt };
}

async function requestPayment(orderId: string, amountCents: number, card: string, callbackUrl: string) {
  "use step";
  const response = await fetch(`${getWorkflowMetadata().url}/api/fake-psp/payments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orderId, amountCents, card, callbackUrl }),
  });
  if (response.status === 400)
    throw new FatalError(`The payment provider refused the payment: ${await response.text()}`);
  if (!response.ok) throw new Error(`The payment provider answered ${response.status}`);
}

async function recordPaymentEvent(request: RequestWithResponse, line: number): Promise<LedgerLine> {
  "use step";
  const event = (await request.json()) as { type: string; amountCents: number };
  const answer = { received: event.type, ledgerLine: line };
  await request.respondWith(Response.json(answer));
  return { line, event: event.type, amountCents: event.amountCents, answer: JSON.stringify(answer) };
}

async function fulfilOrder(orderId: string) {
  "use step";
  console.log(`[example] order ${orderId} paid: packing it`);
  return { orderId, packed: true };
}
