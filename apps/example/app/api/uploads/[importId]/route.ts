import { HookNotFoundError } from "hookline/api";
import { putObject } from "@/lib/uploads";
import { uploadCompleted } from "@/workflows/import";

/**
 * The "upload" of a large file: it goes to storage, then the waiting import run is resumed
 * with a reference to it (hook token `upload:<importId>`), never with the file itself.
 */
export async function PUT(request: Request, { params }: { params: Promise<{ importId: string }> }) {
  const { importId } = await params;
  const body = new Uint8Array(await request.arrayBuffer());
  const objectKey = `${importId}.csv`;
  await putObject(objectKey, body);
  try {
    const { runId } = await uploadCompleted.resume(`upload:${importId}`, { objectKey, bytes: body.byteLength });
    return Response.json({ objectKey, bytes: body.byteLength, runId });
  } catch (error) {
    if (HookNotFoundError.is(error))
      return Response.json({ error: "No import is waiting for this upload." }, { status: 404 });
    throw error;
  }
}
