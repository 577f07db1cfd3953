/** Starts one of the integration workflows (workflows/integrations.ts) and returns its ids. */
import { start } from "hookline/api";
import { partnerCallback, partnerSignup, refundReview, renderVideo, trackShipment } from "@/workflows/integrations";

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { workflow?: string; timeout?: string } | null;
  const id = crypto.randomUUID().slice(0, 8);
  switch (body?.workflow) {
    case "trackShipment":
      return started(`shp_${id}`, (shipmentId) => start(trackShipment, [shipmentId]));
    case "partnerSignup":
      return started(`sgn_${id}`, (signupId) => start(partnerSignup, [signupId]));
    case "renderVideo":
      return started(`job_${id}`, (jobId) => start(renderVideo, [jobId]));
    case "refundReview":
      return started(`tkt_${id}`, (ticketId) =>
        start(refundReview, [ticketId, { name: "Ada Lovelace", tier: "gold" }, 4999]),
      );
    case "partnerCallback":
      return started(`cb_${id}`, (callbackId) => start(partnerCallback, [callbackId, body.timeout ?? "1h"]));
    default:
      return Response.json(
        { error: "workflow must be one of trackShipment, partnerSignup, renderVideo, refundReview, partnerCallback" },
        { status: 400 },
      );
  }
}

async function started(id: string, begin: (id: string) => Promise<{ runId: string }>): Promise<Response> {
  const run = await begin(id);
  return Response.json({ runId: run.runId, id });
}
