/**
 * An account sync against a partner API that allows only a few calls per account at once: runs
 * are started with `concurrency: { key: "account:<id>", limit }` (app/api/syncs/route.ts), so at
 * most `limit` syncs of one account execute steps at a time, across every instance, and the rest
 * wait their turn in the order they were started.
 */
export async function syncAccount(accountId: string, jobId: string) {
  "use workflow";
  const changes = await pullChanges(accountId, jobId);
  const pushed = await pushChanges(accountId, changes);
  return { accountId, jobId, pushed };
}

/** Stands in for the partner's slow, rate-limited API. */
const partnerCall = () => new Promise((resolve) => setTimeout(resolve, 150));

async function pullChanges(accountId: string, jobId: string) {
  "use step";
  await partnerCall();
  return [`${accountId}:${jobId}:change`];
}

async function pushChanges(accountId: string, changes: string[]) {
  "use step";
  await partnerCall();
  return changes.length;
}
