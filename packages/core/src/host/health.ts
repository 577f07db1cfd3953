/**
 * Is the workflow runtime up? What a deployment's probe asks, through `healthCheck()` from
 * "hookline/api" or the generated routes' `?__health` (as the Workflow SDK offers both): the
 * runtime starts, its world answers a read, and for "workflow" a workflow bundle is loaded.
 *
 *   const { healthy, latencyMs, error } = await healthCheck(getWorld(), "workflow", { timeout: 5000 });
 */
import type { Runtime } from "./runtime.js";

export type HealthCheckEndpoint = "workflow" | "step";

export interface HealthCheckResult {
  healthy: boolean;
  endpoint: HealthCheckEndpoint;
  /** How long the check took. */
  latencyMs: number;
  /** What failed, when not healthy. */
  error?: string;
}

export async function checkHealth(
  runtime: () => Promise<Runtime>,
  endpoint: HealthCheckEndpoint,
  timeoutMs: number,
): Promise<HealthCheckResult> {
  const started = performance.now();
  const result = (healthy: boolean, error?: string): HealthCheckResult => ({
    healthy,
    endpoint,
    latencyMs: Math.round(performance.now() - started),
    ...(error === undefined ? {} : { error }),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`The health check did not finish in ${timeoutMs} ms.`), timeoutMs);
  });
  const check = (async (): Promise<string | undefined> => {
    const up = await runtime();
    await up.world.listRuns({ limit: 1 });
    if (endpoint === "workflow" && !(await up.hasWorkflowCode()))
      return "No workflow bundle is loaded in this process.";
    return undefined;
  })().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  try {
    const error = await Promise.race([check, timeout]);
    return result(error === undefined, error);
  } finally {
    clearTimeout(timer);
  }
}
