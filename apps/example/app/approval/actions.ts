"use server";
import { start } from "hookline/api";
import { approvalDecision, expenseApproval } from "@/workflows/approval";

export async function requestApproval(description: string, amount: number) {
  const requestId = `exp_${crypto.randomUUID().slice(0, 8)}`;
  const amountCents = Math.round((Number.isFinite(amount) && amount > 0 ? amount : 1) * 100);
  const run = await start(expenseApproval, [requestId, amountCents, description.trim() || "Team lunch"]);
  return { runId: run.runId, requestId };
}

/** Resumes the run waiting on `approval:<requestId>`; the hook's schema checks the payload first. */
export async function decide(requestId: string, approved: boolean, note?: string) {
  await approvalDecision.resume(`approval:${requestId}`, { approved, reviewer: "you", ...(note ? { note } : {}) });
}
