import { createHash } from "node:crypto";
import { InvalidArgumentError, start } from "hookline/api";
import { checkout } from "@/workflows/checkout";

/**
 * Starts a checkout. A client that retries with the same `Idempotency-Key` header (a timeout, a
 * double click) gets the first attempt's run and order back instead of paying twice.
 */
export async function POST(request: Request) {
  const { card } = (await request.json()) as { card?: string };
  if (card !== "good" && card !== "declined")
    return Response.json({ error: 'card must be "good" or "declined"' }, { status: 400 });
  const key = request.headers.get("idempotency-key");
  const orderId = `ord_${key ? createHash("sha256").update(key).digest("hex").slice(0, 8) : crypto.randomUUID().slice(0, 8)}`;
  try {
    const run = await start(checkout, [orderId, 4200, card], key === null ? {} : { idempotencyKey: `checkout:${key}` });
    return Response.json({ runId: run.runId, orderId });
  } catch (error) {
    if (InvalidArgumentError.is(error)) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}
