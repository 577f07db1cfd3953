import { createHook, FatalError } from "hookline";
import { start, WorkflowRunFailedError } from "hookline/api";

/**
 * Child workflows: an order ships as one child run per parcel, started with the same `start()`
 * routes use. The order waits (suspended, at no cost) for each parcel's run to end; a parcel that
 * fails is reported, not fatal to the order. Cancelling the order cancels the parcels still
 * running, except the customs declaration, which is started `detached` and runs on regardless.
 */
export async function shipOrder(orderId: string, parcels: string[]) {
  "use workflow";
  const customs = await start(declareCustoms, [orderId], { detached: true });
  const runs = [];
  for (const parcel of parcels) runs.push(await start(shipParcel, [orderId, parcel]));
  const shipped: Array<{ parcel: string; runId: string; label?: string; failed?: string }> = [];
  for (const [i, run] of runs.entries()) {
    try {
      shipped.push({ parcel: parcels[i]!, runId: run.runId, label: await run.returnValue });
    } catch (error) {
      if (!WorkflowRunFailedError.is(error)) throw error;
      shipped.push({ parcel: parcels[i]!, runId: run.runId, failed: error.cause.message });
    }
  }
  return { orderId, customsRunId: customs.runId, shipped };
}

/** One parcel: "lost" fails, "held:<reason>" waits for the warehouse (token `parcel:<order>:<parcel>`). */
export async function shipParcel(orderId: string, parcel: string) {
  "use workflow";
  if (parcel.startsWith("held")) await createHook<string>({ token: `parcel:${orderId}:${parcel}` });
  return await printLabel(orderId, parcel);
}

/** Customs paperwork: waits for the broker (token `customs:<order>`); not cancelled with its order. */
export async function declareCustoms(orderId: string) {
  "use workflow";
  return await createHook<string>({ token: `customs:${orderId}` });
}

async function printLabel(orderId: string, parcel: string) {
  "use step";
  if (parcel === "lost") throw new FatalError(`Parcel ${parcel} of ${orderId} was lost by the carrier.`);
  return `label:${orderId}:${parcel}`;
}
