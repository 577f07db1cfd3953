import { start } from "hookline/api";
import { importCustomers } from "@/workflows/import";

export async function POST(request: Request) {
  const { fileName } = (await request.json()) as { fileName?: string };
  const importId = `imp_${crypto.randomUUID().slice(0, 8)}`;
  const run = await start(importCustomers, [importId, fileName || "customers.csv"]);
  return Response.json({ runId: run.runId, importId });
}
