/**
 * `next dev` builds the workflow bundle in the background (dev-build.ts), so next.config returns
 * without loading Babel or esbuild. The generated workflows module then does not hold the bundle:
 * it awaits devWorkflowBundle(), which waits for the build running in this process and reads the
 * bundle that build wrote beside the generated routes. Every route that loads the app's code
 * (flow, step, webhook, inspector) imports that module, so a request that arrives before the
 * bundle is built waits for it instead of failing.
 *
 *   trackDevBuild(buildWorkflows(…));                       // next.config, next dev
 *   const { code, workflowIds } = await devWorkflowBundle(file);  // generated workflows.ts
 */
import { readFile } from "node:fs/promises";
import { ConfigError } from "@hookline/core";

/** What a dev build writes beside the routes (generate.ts, DEV_BUNDLE_FILE). */
export interface DevBundle {
  code: string;
  workflowIds: string[];
}

interface TrackedBuild {
  done: Promise<unknown>;
  /** Starts a build that was waiting for a better moment (see trackDevBuild). */
  start(): void;
}

const SLOT = Symbol.for("hookline.next.dev-build");
type Slot = { [SLOT]?: TrackedBuild };

/**
 * Records the workflow build of this process that the routes wait for (the newest). `start` is
 * for a build that is held back (until the developer's first request is answered, so the two do
 * not compete for the CPU): the first route that needs the bundle starts it at once.
 */
export function trackDevBuild(done: Promise<unknown>, start: () => void = () => {}): void {
  (globalThis as Slot)[SLOT] = { done, start };
  // Its failure is reported by whoever started it, and reaches the routes through devWorkflowBundle.
  done.catch(() => {});
}

/** Settles when no workflow build is pending in this process; rejects with the newest build's error. */
export async function devBuildSettled(): Promise<void> {
  const slot = globalThis as Slot;
  for (let awaited: TrackedBuild | undefined; slot[SLOT] !== undefined && slot[SLOT] !== awaited; ) {
    awaited = slot[SLOT];
    awaited.start();
    try {
      await awaited.done;
    } catch (error) {
      // A build started since (the fix saved) supersedes the failed one.
      if (slot[SLOT] === awaited) throw error;
    }
  }
}

/** The bundle `next dev` built, once the build running in this process (if any) is done. */
export async function devWorkflowBundle(file: string): Promise<DevBundle> {
  await devBuildSettled();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ConfigError(
      `The workflow bundle of \`next dev\` is missing (${file}). Restart \`next dev\`: withWorkflow in next.config builds it.`,
    );
  }
  return JSON.parse(text) as DevBundle;
}
