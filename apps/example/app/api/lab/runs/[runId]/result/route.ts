/** Waits for a lab run's return value (Run.returnValue), as a client that long-polls for an outcome does. */
import { getRun } from "hookline/api";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    return Response.json({ result: await getRun((await params).runId).returnValue });
  } catch (error) {
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 409 });
  }
}
