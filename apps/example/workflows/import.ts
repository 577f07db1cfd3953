import { defineHook } from "hookline";
import { objectSchema } from "@/lib/schema";
import { getObject } from "@/lib/uploads";

export interface UploadCompleted {
  objectKey: string;
  bytes: number;
}

/** Resumed by the upload route (app/api/uploads/[importId]/route.ts) with a reference, never the file. */
export const uploadCompleted = defineHook<UploadCompleted>({
  schema: objectSchema<UploadCompleted>({ objectKey: "string", bytes: "number" }),
});

const BATCH_ROWS = 1_000;

/**
 * Large import by reference (claim check): the run waits on the hook `upload:<id>`; the file
 * goes to storage, and only its key passes through the run's log.
 */
export async function importCustomers(importId: string, fileName: string) {
  "use workflow";
  const upload = uploadCompleted.create({
    token: `upload:${importId}`,
    timeout: "1h",
    metadata: { importId, fileName },
  });
  const file = await upload;
  const rows = await countRows(file.objectKey);
  let imported = 0;
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    imported += await importBatch(file.objectKey, start, Math.min(start + BATCH_ROWS, rows));
  }
  return {
    importId,
    fileName,
    objectKey: file.objectKey,
    bytes: file.bytes,
    rows,
    imported,
    batches: Math.ceil(rows / BATCH_ROWS),
  };
}

async function countRows(objectKey: string) {
  "use step";
  const text = await getObject(objectKey);
  return text.trim().split("\n").length - 1;
}

async function importBatch(objectKey: string, from: number, to: number) {
  "use step";
  const lines = (await getObject(objectKey))
    .trim()
    .split("\n")
    .slice(1 + from, 1 + to);
  return lines.filter((line) => line.split(",").length === 3).length;
}
