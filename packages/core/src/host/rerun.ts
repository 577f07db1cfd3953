/**
 * Starts a run again: the same workflow with the same arguments (as recorded in its
 * run_created) and the same concurrency key, as a new run whose run_created records
 * `rerunOf` (the run it reruns), so each names the other (RunSummary.rerunOf). The inspector's
 * "Rerun" uses it.
 *
 *   const again = await rerun(runtime, "wrun_…");
 */
import { RunNotFoundError, WorldError } from "../shared/errors.js";
import { deserialize } from "../shared/serialization/index.js";
import type { World } from "../world/world.js";
import type { Run } from "./run.js";
import type { StartLink, StartOptions } from "./runtime.js";

export interface RerunPort {
  readonly world: Pick<World, "readEvents">;
  start(workflowId: string, args: unknown[], options: StartOptions, link: StartLink): Promise<Run>;
}

export async function rerun(runtime: RerunPort, runId: string): Promise<Run> {
  const [created] = await runtime.world.readEvents(runId, 0);
  if (!created) throw new RunNotFoundError(`rerun(): no run with id "${runId}".`);
  if (created.type !== "run_created")
    throw new WorldError(`rerun(): run ${runId}'s log starts with ${created.type}, not run_created.`);
  const args = deserialize(created.data.args);
  const { workflowId, concurrency } = created.data;
  return runtime.start(workflowId, Array.isArray(args) ? args : [args], concurrency ? { concurrency } : {}, {
    rerunOf: runId,
  });
}
