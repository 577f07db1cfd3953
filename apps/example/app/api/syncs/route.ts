import { InvalidArgumentError, start } from "hookline/api";
import { syncAccount } from "@/workflows/sync";

/** Starts a sync of an account: at most `limit` (default 2) syncs of one account run steps at once. */
export async function POST(request: Request) {
  const { accountId, limit = 2 } = (await request.json()) as { accountId?: string; limit?: number };
  const jobId = `job_${crypto.randomUUID().slice(0, 8)}`;
  try {
    const run = await start(syncAccount, [accountId ?? "", jobId], {
      concurrency: { key: `account:${accountId}`, limit },
    });
    return Response.json({ runId: run.runId, jobId });
  } catch (error) {
    if (InvalidArgumentError.is(error)) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}
