/**
 * Checks of what callers pass in, before anything reaches the database: core's worldChecks,
 * so a bad argument gets the same WorldError here as in every world.
 */
import { describe, type EnqueueOptions, worldChecks } from "@hookline/core/world";

export { describe };

const checks = worldChecks("PostgreSQL world");
export const {
  fail,
  checkRunId,
  checkTokenHash,
  checkAppend,
  checkAfterSeq,
  checkListRuns,
  checkCountRuns,
  checkHookStatus,
  checkFunction,
  checkText,
  checkRefusal,
  checkListRefusals,
  checkSlotRequest,
  checkHeldSlots,
} = checks;

/** Validates enqueue options; returns the delay (ms, ≥ 0) and key (or null, as the queue table stores it). */
export function checkEnqueue(
  options: EnqueueOptions | undefined,
  where: string,
): { delayMs: number; key: string | null } {
  const { delayMs, key } = checks.checkEnqueue(options, where);
  return { delayMs, key: key ?? null };
}
