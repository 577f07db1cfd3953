/**
 * `next dev`'s workflow builds. next.config returns after a text scan (no Babel, no esbuild):
 * the generated routes are written at once, with a workflows module that waits for the bundle
 * (dev-bundle.ts), and the bundle is built in the background once the developer's first request
 * has been answered, or as soon as a route needs it. A restart with nothing changed reuses the
 * last build (build-stamp.ts). Saving a file that can change the workflows builds again and asks
 * the server to load the new code.
 */

import { affectsWorkflows, forgetBuildStamp, scanExclusions, unchangedBuild } from "./build-stamp.js";
import type { BuildResult } from "./builder.js";
import { trackDevBuild } from "./dev-bundle.js";
import { appRouterDir, generatedDir, renderFiles, writeChanged } from "./generate.js";
import { scan } from "./scanner.js";
import { callInternal, type Integration } from "./server.js";
import { watchSources } from "./watcher.js";

export interface DevBuildOptions {
  appDir: string;
  /** Next's distDir, never scanned. */
  distDir: string | undefined;
  /** The build stamp's key (the transform's fingerprint). */
  stampKey: string;
  integration: Integration;
  /** The first build waits for this (afterFirstRequest), unless a route needs the bundle sooner. */
  after: Promise<void>;
}

type Known = Pick<BuildResult, "files" | "inputs" | "roots">;

/**
 * How `next dev` reports a failed workflow build: the message and code frame, never the compiler's
 * stack. The server keeps serving: routes that need the bundle answer with the error, the page
 * that imports the file shows it, and saving a fix builds again.
 */
function reportBuildError(error: unknown): void {
  console.error(
    `[hookline] the workflows could not be built: ${error instanceof Error ? error.message : String(error)}`,
  );
}

async function buildOnce(
  appDir: string,
  distDir: string | undefined,
  stampKey: string,
): Promise<BuildResult & { summary: string }> {
  // Babel and esbuild load here, in the background, never while next.config is evaluated.
  const { buildWorkflows, summarize } = await import("./builder.js");
  const result = await buildWorkflows({ appDir, distDir, stampKey, dev: true });
  for (const warning of result.warnings) console.warn(`[hookline] ${warning}`);
  return { ...result, summary: summarize(result, appDir) };
}

/** Writes what the server needs to start (the routes), starts the first build if one is needed, and watches. */
export async function startDevBuilds({
  appDir,
  distDir,
  stampKey,
  integration,
  after,
}: DevBuildOptions): Promise<void> {
  const found = await scan({ appDir, exclude: scanExclusions(appDir, distDir) });
  let known: Known | null = await unchangedBuild({ appDir, distDir, key: stampKey, found });
  // Builds run one at a time, in the order they were asked for.
  let queue: Promise<unknown> = Promise.resolve();
  const build = (
    gate: Promise<void> = Promise.resolve(),
  ): { done: Promise<BuildResult & { summary: string }>; start: () => void } => {
    let start = () => {};
    const started = new Promise<void>((resolve) => {
      start = resolve;
      void gate.then(resolve);
    });
    const done = queue.then(() => started).then(() => buildOnce(appDir, distDir, stampKey));
    queue = done.catch(() => {});
    trackDevBuild(done, start);
    return { done, start };
  };

  if (!known) {
    const routerDir = appRouterDir(appDir);
    const outDir = generatedDir(routerDir);
    const files = found.files.map((file) => file.path);
    await forgetBuildStamp(outDir);
    await writeChanged(outDir, renderFiles({ routerDir, files, workflows: { dev: { version: "pending" } } }));
    // Until the build says which files it read: the directive files.
    known = { files: found.files, inputs: files, roots: found.roots };
    build(after).done.then(
      (result) => {
        known = result;
      },
      (error: unknown) => reportBuildError(error),
    );
  }

  watchSources({
    appDir,
    roots: known.roots,
    onChange: async (changed) => {
      await queue;
      if (!known || !(await affectsWorkflows(changed, known))) return;
      try {
        const result = await build().done;
        known = result;
        // Let Next notice the changed files before the flow route re-imports them.
        await new Promise((resolve) => setTimeout(resolve, 250));
        await callInternal(integration, "flow", { reason: "rebuilt" });
        console.log(`[hookline] reloaded: ${result.summary}`);
      } catch (error) {
        reportBuildError(error);
      }
    },
  });
}
