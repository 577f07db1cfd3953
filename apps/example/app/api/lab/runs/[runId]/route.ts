/** A lab run as the tests read it: status, result or error, its webhooks (never a token) and their refused deliveries. */
import { getRun, listHooks, listRefusedDeliveries, RunNotFoundError } from "hookline/api";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const run = getRun(runId);
  try {
    const status = await run.status;
    const ended = status === "completed" || status === "failed" || status === "cancelled";
    const result = status === "completed" ? await run.returnValue : undefined;
    const error = status === "failed" ? await run.error : undefined;
    const hooks = await listHooks({ runId, status: ended ? "ended" : "active" });
    const refusals = await listRefusedDeliveries({ runId });
    return Response.json({
      status,
      result,
      error: error ? { name: error.name, code: (error as { code?: string }).code, message: error.message } : undefined,
      hooks: hooks.map(({ hookId, tokenHashPrefix, status: hookStatus }) => ({
        hookId,
        tokenHashPrefix,
        status: hookStatus,
      })),
      refusals,
    });
  } catch (error) {
    if (RunNotFoundError.is(error)) return Response.json({ error: "No such run." }, { status: 404 });
    throw error;
  }
}
