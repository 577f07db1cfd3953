import { createWebhook, getWorkflowMetadata, sleep } from "hookline";

/** How long the vendor gets before the document counts as "timed out". */
export const VENDOR_DEADLINE_SECONDS = 6;

export type Scan = "clear" | "blurry" | "slow";
type VendorAnswer = { verdict: "approved" | "rejected"; reason?: string };

/**
 * Document verification with a deadline: the vendor calls back on a webhook URL, raced
 * against a durable sleep. Whichever the log records first wins; a late callback gets 410.
 */
export async function verifyDocument(documentId: string, scan: Scan) {
  "use workflow";
  const callback = createWebhook({ timeout: "1h" });
  await submitToVendor(documentId, scan, callback.url);
  const outcome = await Promise.race([
    callback.then(async (request) => ({ kind: "answer" as const, answer: (await request.json()) as VendorAnswer })),
    sleep(`${VENDOR_DEADLINE_SECONDS}s`).then(() => ({ kind: "deadline" as const })),
  ]);
  if (outcome.kind === "deadline") {
    callback.dispose();
    await recordResult(documentId, "timed out", `no answer within ${VENDOR_DEADLINE_SECONDS} s`);
    return { documentId, result: "timed out" as const };
  }
  const result = outcome.answer.verdict === "approved" ? ("verified" as const) : ("rejected" as const);
  await recordResult(documentId, result, outcome.answer.reason);
  return { documentId, result, reason: outcome.answer.reason };
}

async function submitToVendor(documentId: string, scan: Scan, callbackUrl: string) {
  "use step";
  const response = await fetch(`${getWorkflowMetadata().url}/api/fake-vendor/checks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ documentId, scan, callbackUrl }),
  });
  if (!response.ok) throw new Error(`The verification vendor answered ${response.status}`);
  return (await response.json()) as { checkId: string };
}

async function recordResult(documentId: string, result: string, reason?: string) {
  "use step";
  console.log(`[example] document ${documentId}: ${result}${reason ? ` (${reason})` : ""}`);
}
