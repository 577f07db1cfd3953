/**
 * Moving an in-flight run to the current build on purpose (to fix a bug in its workflow): its log
 * is replayed on the current bundle first (replay-check.ts), and only a clean replay is recorded,
 * as `run_upgraded`, atomically at the end of the log it checked. A run that took new events
 * meanwhile is checked again. Every instance holding the run warm reopens it on the new bundle.
 *
 *   await upgradeRun(runId); // ReplayDivergenceError naming both calls if the log would not replay
 */
import {
  EventConflictError,
  InvalidArgumentError,
  ReplayDivergenceError,
  RunNotFoundError,
  WorkflowNotRegisteredError,
} from "../shared/errors.js";
import { TERMINAL_RUN_EVENTS } from "../world/events.js";
import type { World } from "../world/world.js";
import { type BundleStore, replayBundleId } from "./bundle-store.js";
import { checkLog } from "./replay-check.js";

export interface UpgradeResult {
  runId: string;
  /** False: the run already replays with the current build. */
  upgraded: boolean;
  /** The bundle it replayed with before (undefined: a run older than bundle ids) and the one it replays with now. */
  from?: string;
  bundleId: string;
}

export async function upgradeRun(world: World, bundles: BundleStore, runId: string): Promise<UpgradeResult> {
  const bundle = bundles.current();
  const to = await bundles.currentId();
  if (!bundle || !to)
    throw new WorkflowNotRegisteredError(
      "upgradeRun(): no workflow bundle is loaded in this process, so there is no build to move the run to.",
    );
  for (;;) {
    const events = await world.readEvents(runId);
    const last = events.at(-1);
    if (!last) throw new RunNotFoundError(`upgradeRun(): no run with id "${runId}".`);
    if (TERMINAL_RUN_EVENTS.has(last.type))
      throw new InvalidArgumentError(
        `upgradeRun(): run ${runId} has ended (${last.type}); only a run in flight moves to a new build.`,
      );
    const from = replayBundleId(events);
    if (from === to) return { runId, upgraded: false, ...(from ? { from } : {}), bundleId: to };
    const report = await checkLog(events, bundle);
    if (!report.ok) {
      throw new ReplayDivergenceError(
        `upgradeRun(): run ${runId} stays on its build, because its log does not replay on the current one (${to.slice(0, 12)}): ${report.message} Guard the change with patched("<id>") so runs that passed this point keep the old path.`,
        report.divergence,
      );
    }
    try {
      const data = { bundleId: to, ...(from ? { from } : {}) };
      await world.append(
        runId,
        { type: "run_upgraded", at: Date.now(), data },
        { expectedSeq: last.seq, wake: { key: `drive:${runId}` } },
      );
      return { runId, upgraded: true, ...(from ? { from } : {}), bundleId: to };
    } catch (error) {
      // The run moved on meanwhile: check its longer log.
      if (!EventConflictError.is(error)) throw error;
    }
  }
}
