/**
 * What start() repairs before the world is used: every run's checkpoint caught up with its log,
 * which re-applies whatever a crash cut off between an append and its derived writes (summary,
 * hook index, run index); a world written before the run index (or its reruns' entries) existed
 * gets every run indexed, once; counts a process killed while moving an index entry left are settled.
 */
import type { RunIndex } from "./run-index.js";
import type { Runs } from "./runs.js";

export async function repairRuns(
  runs: Runs,
  index: RunIndex,
  report: (error: unknown, where: string) => void,
): Promise<void> {
  const indexed = await index.built();
  const rerunsIndexed = await index.rerunsBuilt();
  let failed = false;
  for (const runId of await runs.runIds()) {
    try {
      const summary = await runs.summary(runId);
      if (summary && !indexed) await index.ensure(summary);
      if (summary && !rerunsIndexed) await index.addRerun(summary);
    } catch (error) {
      failed = true;
      report(error, `repairing run ${runId}`);
    }
  }
  await runs.flush();
  // Marked only once every run is in: a run that failed is indexed at the next start.
  if (!indexed && !failed) await index.markBuilt();
  if (!rerunsIndexed && !failed) await index.markRerunsBuilt();
  await index.countsFiles();
}
