import { putObject } from "@/lib/uploads";

/** A stand-in for a presigned object-storage upload: the file lands in storage, nothing else happens. */
export async function PUT(request: Request, { params }: { params: Promise<{ objectKey: string }> }) {
  const { objectKey } = await params;
  const body = new Uint8Array(await request.arrayBuffer());
  await putObject(objectKey, body);
  return Response.json({ objectKey, bytes: body.byteLength }, { status: 201 });
}
