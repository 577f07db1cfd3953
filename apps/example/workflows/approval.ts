import { defineHook } from "hookline";
import { objectSchema } from "@/lib/schema";

export interface Decision {
  approved: boolean;
  reviewer: string;
  note?: string;
}

/** Resumed from a server action (app/approval/actions.ts) when someone clicks Approve or Reject. */
export const approvalDecision = defineHook<Decision>({
  // Recorded with each hook: a payload resumed by token (the inspector's form, resumeHook) is checked against the schema too.
  id: "approval-decision",
  schema: objectSchema<Decision>({ approved: "boolean", reviewer: "string", note: "string?" }),
});

/** Human approval: the run waits, at no cost, until a person decides; rejection takes the other branch. */
export async function expenseApproval(requestId: string, amountCents: number, description: string) {
  "use workflow";
  const decision = approvalDecision.create({
    token: `approval:${requestId}`,
    metadata: { requestId, amountCents, description },
  });
  await notifyApprover(requestId, description, amountCents);
  const answer = await decision;
  if (answer.approved) {
    const payout = await schedulePayout(requestId, amountCents);
    return { requestId, status: "approved" as const, reviewer: answer.reviewer, payoutId: payout.payoutId };
  }
  await tellRequester(requestId, answer.note ?? "no reason given");
  return { requestId, status: "rejected" as const, reviewer: answer.reviewer, note: answer.note ?? null };
}

async function notifyApprover(requestId: string, description: string, amountCents: number) {
  "use step";
  console.log(`[example] approval ${requestId} requested: ${description} (${(amountCents / 100).toFixed(2)} EUR)`);
}

async function schedulePayout(requestId: string, amountCents: number) {
  "use step";
  return { payoutId: `po_${requestId}`, amountCents };
}

async function tellRequester(requestId: string, note: string) {
  "use step";
  console.log(`[example] approval ${requestId} rejected: ${note}`);
}
