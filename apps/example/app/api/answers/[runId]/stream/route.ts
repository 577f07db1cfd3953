import { sseResponse } from "hookline/api";

/** The answer's words as Server-Sent Events; a reconnecting EventSource continues after its Last-Event-ID. */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return sseResponse((await params).runId, { request });
}
