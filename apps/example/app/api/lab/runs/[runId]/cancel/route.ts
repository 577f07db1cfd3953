/** Cancels a lab run: its webhook's URL answers 410 from then on. */
import { getRun } from "hookline/api";

export async function POST(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  await getRun((await params).runId).cancel("cancelled by the lab");
  return Response.json({ cancelled: true });
}
