/**
 * The support tool's view of refunds waiting for an agent: found with listHooks by their
 * metadata, and resumed there without ever knowing their token.
 */
import { listHooks } from "hookline/api";
import type { Resolution, ReviewMetadata } from "@/workflows/integrations";

export const dynamic = "force-dynamic";

async function pendingReviews() {
  const hooks = await listHooks({ status: "active" });
  return hooks.filter(
    (hook) => hook.kind === "hook" && (hook.metadata as ReviewMetadata | undefined)?.kind === "refund-review",
  );
}

export async function GET() {
  const reviews = await pendingReviews();
  return Response.json({
    reviews: reviews.map(({ tokenHashPrefix, runId, hookId, status, metadata, createdAt, expiresAt }) => ({
      tokenHashPrefix,
      runId,
      hookId,
      status,
      metadata,
      createdAt,
      expiresAt,
    })),
  });
}

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as ({ ticketId?: string } & Partial<Resolution>) | null;
  if (
    !body?.ticketId ||
    (body.resolution !== "refund" && body.resolution !== "decline") ||
    typeof body.agent !== "string"
  ) {
    return Response.json({ error: 'Send { ticketId, resolution: "refund" | "decline", agent }.' }, { status: 400 });
  }
  const review = (await pendingReviews()).find((hook) => (hook.metadata as ReviewMetadata).ticketId === body.ticketId);
  if (!review)
    return Response.json({ error: `No refund review is waiting for ticket ${body.ticketId}.` }, { status: 404 });
  const resolution: Resolution = { resolution: body.resolution, agent: body.agent };
  return Response.json(await review.resume(resolution));
}
