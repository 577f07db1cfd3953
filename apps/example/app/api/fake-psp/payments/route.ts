/**
 * A simulated payment provider. It accepts a payment, then reports on it to the webhook URL it
 * was given, one event after another, as Stripe or Adyen would, writing down each answer.
 */
import { deliver, deliveriesFor, later } from "@/lib/outside-services";

const EVENTS = {
  good: ["payment.created", "payment.authorized", "payment.succeeded"],
  declined: ["payment.created", "payment.failed"],
} as const;

export async function POST(request: Request) {
  const { orderId, amountCents, card, callbackUrl } = (await request.json()) as {
    orderId: string;
    amountCents: number;
    card: keyof typeof EVENTS;
    callbackUrl: string;
  };
  const events = EVENTS[card];
  if (!events || typeof callbackUrl !== "string") return new Response("bad payment request", { status: 400 });
  later(600, async () => {
    for (const [index, type] of events.entries()) {
      await deliver(
        orderId,
        callbackUrl,
        type,
        { type, orderId, amountCents },
        { "webhook-id": `evt_${orderId}_${index}` },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  return Response.json({ paymentId: `pay_${orderId}` }, { status: 202 });
}

export async function GET(request: Request) {
  const orderId = new URL(request.url).searchParams.get("orderId") ?? "";
  return Response.json({ deliveries: deliveriesFor(orderId) });
}
