/**
 * Child workflows: from a child's run_completed to its parent's (the parent awaits the child's
 * returnValue and returns it at once), each timed when the world reports the append. The child's
 * end wakes the parent through the queue; the parent reads the child's end and records it.
 */
import { performance } from "node:perf_hooks";
import type { Runtime } from "../src/runtime.js";
import { WORKFLOWS } from "./bench-app.js";
import { ms, percentile, type Row } from "./report.js";

const SAMPLES = 200;

export async function childToParent(runtime: Runtime, label: string): Promise<Row[]> {
  const completedAt = new Map<string, number>();
  const stop = runtime.world.onAppend((runId, _seq, type) => {
    if (type === "run_completed") completedAt.set(runId, performance.now());
  });
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const token = `child-${label}-${Date.now()}-${i}`;
    const parent = await runtime.start(WORKFLOWS.parentOfWaiting, [token]);
    let childRunId: string | undefined;
    while (!childRunId) {
      childRunId = await runtime.activeHook(token).then(
        (hook) => hook.runId,
        () => undefined,
      );
      if (!childRunId) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await runtime.resumeHook(token, i);
    await parent.returnValue;
    // The parent's completion may be heard a moment after returnValue settles.
    while (!completedAt.has(parent.runId)) await new Promise((resolve) => setTimeout(resolve, 1));
    latencies.push(completedAt.get(parent.runId)! - completedAt.get(childRunId)!);
  }
  stop();
  return [
    [`${label}: child completed → parent resumed p50`, ms(percentile(latencies, 50)), "≤ 5 ms"],
    [`${label}: child completed → parent resumed p99`, ms(percentile(latencies, 99)), ""],
  ];
}
