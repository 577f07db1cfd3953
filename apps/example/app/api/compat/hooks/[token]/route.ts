/** GET: the hook holding a token (getHookByToken), 404 when there is none; POST: resumes it with the body. */
import { getHookByToken, HookNotFoundError, resumeHook } from "hookline/api";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  try {
    const hook = await getHookByToken(decodeURIComponent((await params).token));
    return Response.json({
      runId: hook.runId,
      hookId: hook.hookId,
      metadata: hook.metadata,
      createdAt: hook.createdAt.toISOString(),
    });
  } catch (error) {
    if (HookNotFoundError.is(error)) return Response.json({ error: error.message }, { status: 404 });
    throw error;
  }
}

export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  try {
    return Response.json(await resumeHook(decodeURIComponent((await params).token), await request.json()));
  } catch (error) {
    if (HookNotFoundError.is(error)) return Response.json({ error: error.message }, { status: 404 });
    throw error;
  }
}
