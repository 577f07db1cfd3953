/** A stand-in for object storage: uploads land in a folder; workflows only ever see their key. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = process.env.EXAMPLE_UPLOADS_DIR ?? join(tmpdir(), "hookline-example-uploads");

export async function putObject(key: string, body: Uint8Array): Promise<void> {
  await mkdir(ROOT, { recursive: true });
  await writeFile(join(ROOT, key.replace(/[^\w.-]/g, "_")), body);
}

export async function getObject(key: string): Promise<string> {
  return readFile(join(ROOT, key.replace(/[^\w.-]/g, "_")), "utf8");
}
