import { getRun, RunNotFoundError } from "hookline/api";

export const dynamic = "force-dynamic";

/** A run's event log, in order (type, operation, time): what an audit view or a test reads. */
export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    const events = await getRun((await params).runId).events();
    return Response.json({ events: events.map(({ seq, type, corr, at }) => ({ seq, type, corr: corr ?? null, at })) });
  } catch (error) {
    if (RunNotFoundError.is(error)) return Response.json({ error: "No such run." }, { status: 404 });
    throw error;
  }
}
