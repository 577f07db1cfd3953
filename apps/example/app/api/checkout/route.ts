import { start } from "hookline/api";
import { checkout } from "@/workflows/checkout";

export async function POST(request: Request) {
  const { card } = (await request.json()) as { card?: string };
  if (card !== "good" && card !== "declined") return Response.json({ error: 'card must be "good" or "declined"' }, { status: 400 });
  const orderId = `ord_${crypto.randomUUID().slice(0, 8)}`;
  const run = await start(checkout, [orderId, 4200, card]);
  return Response.json({ runId: run.runId, orderId });
}
