/**
 * `hookline/instrumentation`: Next's instrumentation hook, for apps built with
 * `output: "standalone"`. Their server.js never runs next.config, where withWorkflow starts the
 * runtime under `next start`; Next runs instrumentation's register() as that server starts. In the
 * app's instrumentation.ts (beside next.config):
 *
 *   export { register } from "hookline/instrumentation";
 *
 * or call it from your own register(). Anywhere else (`next start`, `next dev`) it does nothing.
 */
export async function register(): Promise<void> {
  // Next compiles instrumentation for the Edge runtime too, which has no Hookline runtime to start.
  if (process.env.NEXT_RUNTIME !== "edge" && process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) {
    const { startStandalone } = await import("./standalone-start.js");
    startStandalone();
  }
}
