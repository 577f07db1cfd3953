import { HookNotFoundError, HookPayloadError } from "hookline/api";
import { type UploadCompleted, uploadCompleted } from "@/workflows/import";

/**
 * The client's "upload finished" call in a claim check: it uploaded the file to storage itself
 * (PUT /api/storage/<key>) and sends `{ objectKey, bytes }`. The hook's schema checks that
 * payload; a bad one gets 400 with the schema's issues and the run keeps waiting.
 */
export async function POST(request: Request, { params }: { params: Promise<{ importId: string }> }) {
  const { importId } = await params;
  const payload: unknown = await request.json().catch(() => undefined);
  if (payload === undefined) return Response.json({ error: "The body must be JSON." }, { status: 400 });
  try {
    // Passed on as it came: the hook's schema decides whether it is an UploadCompleted.
    const { runId } = await uploadCompleted.resume(`upload:${importId}`, payload as UploadCompleted);
    return Response.json({ runId });
  } catch (error) {
    if (HookPayloadError.is(error))
      return Response.json({ error: error.message, issues: error.issues }, { status: 400 });
    if (HookNotFoundError.is(error))
      return Response.json({ error: "No import is waiting for this upload." }, { status: 404 });
    throw error;
  }
}
