/**
 * A cache of workflow bundles across test files: vitest gives each test file a fresh module
 * state, and bundling takes a few hundred milliseconds, so each bundle is kept in the system's
 * temp folder with the files it was built from (their size and mtime). It is used again only
 * while every one of them is unchanged; anything else builds anew.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Entry {
  code: string;
  /** [path, size, mtimeMs] of every file the bundle was built from. */
  inputs: Array<[string, number, number]>;
}

const DIR = join(tmpdir(), "hookline-testing-bundles");

function entryPath(root: string, files: readonly string[]): string {
  return join(
    DIR,
    `${createHash("sha256")
      .update(JSON.stringify([root, files]))
      .digest("hex")
      .slice(0, 32)}.json`,
  );
}

async function fingerprint(path: string): Promise<[string, number, number] | null> {
  const info = await stat(path).catch(() => null);
  return info ? [path, info.size, info.mtimeMs] : null;
}

/** The cached bundle of `files`, if every input is as it was when it was built. */
export async function cachedBundle(root: string, files: readonly string[]): Promise<string | null> {
  const text = await readFile(entryPath(root, files), "utf8").catch(() => null);
  if (text === null) return null;
  let entry: Entry;
  try {
    entry = JSON.parse(text) as Entry;
  } catch {
    return null;
  }
  const now = await Promise.all(entry.inputs.map(([path]) => fingerprint(path)));
  const same = now.every(
    (current, i) => current !== null && current[1] === entry.inputs[i]![1] && current[2] === entry.inputs[i]![2],
  );
  return same ? entry.code : null;
}

/** Keeps `code`, built from `inputs`, for the next test file (best effort: a failure only costs a rebuild). */
export async function storeBundle(
  root: string,
  files: readonly string[],
  code: string,
  inputs: readonly string[],
): Promise<void> {
  try {
    // The bundler's own entry is listed among the inputs but is no file.
    const fingerprints = (await Promise.all(inputs.map(fingerprint))).filter((f) => f !== null);
    await mkdir(DIR, { recursive: true });
    const path = entryPath(root, files);
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temporary, JSON.stringify({ code, inputs: fingerprints } satisfies Entry));
    await rename(temporary, path);
  } catch {
    // The next test file bundles again.
  }
}
