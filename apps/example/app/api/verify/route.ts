import { start } from "hookline/api";
import { verifyDocument } from "@/workflows/verification";

export async function POST(request: Request) {
  const { scan } = (await request.json()) as { scan?: string };
  if (scan !== "clear" && scan !== "blurry" && scan !== "slow")
    return Response.json({ error: "unknown scan" }, { status: 400 });
  const documentId = `doc_${crypto.randomUUID().slice(0, 8)}`;
  const run = await start(verifyDocument, [documentId, scan]);
  return Response.json({ runId: run.runId, documentId });
}
