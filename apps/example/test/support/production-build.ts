/**
 * One `next build` of the example per `vitest run`, shared by every file that serves the
 * production build (`.next`): the first file to ask builds it, the others reuse it. The build
 * does not depend on the runtime's environment (world, secret, URLs are read by `next start`).
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inject } from "vitest";
import type {} from "./global-setup";
import { APP_DIR, nextBuild, type RunOptions } from "./next-server";

const MARKER = join(APP_DIR, ".next", "hookline-test-run");

export async function productionBuild(options: Pick<RunOptions, "env"> = {}): Promise<void> {
  const run = inject("exampleTestRun");
  if ((await readFile(MARKER, "utf8").catch(() => null)) === run) return;
  await rm(MARKER, { force: true });
  await nextBuild(options);
  await writeFile(MARKER, run);
}
