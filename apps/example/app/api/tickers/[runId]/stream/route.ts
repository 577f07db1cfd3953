import { sseResponse } from "hookline/api";

/** A ticker's ticks as Server-Sent Events. */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return sseResponse((await params).runId, { request });
}
