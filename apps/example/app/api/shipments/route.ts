import { start } from "hookline/api";
import { shipOrder } from "@/workflows/shipment";

/** Ships an order: one child run per parcel (workflows/shipment.ts). */
export async function POST(request: Request) {
  const { orderId, parcels } = (await request.json()) as { orderId?: unknown; parcels?: unknown };
  if (typeof orderId !== "string" || !Array.isArray(parcels) || !parcels.every((p) => typeof p === "string")) {
    return Response.json({ error: "orderId must be a string and parcels an array of strings" }, { status: 400 });
  }
  const run = await start(shipOrder, [orderId, parcels]);
  return Response.json({ runId: run.runId });
}
