/**
 * Checks of what callers pass in, before anything is read or written: the checks every world
 * makes (core's worldChecks, so the messages match the PostgreSQL world's), plus the local
 * world's own: ids become file names, so they must not name a path outside the directory.
 */
import {
  type AppendOptions,
  describe,
  LOG_FORMAT_VERSION,
  type NewEvent,
  type WorkflowEvent,
  WorldError,
  worldChecks,
} from "@hookline/core/world";

export { describe };

const shared = worldChecks("Local world");
export const {
  fail,
  checkAfterSeq,
  checkListRuns,
  checkCountRuns,
  checkHookStatus,
  checkFunction,
  checkEnqueue,
  checkText,
  checkRefusal,
  checkListRefusals,
  checkSlotRequest,
  checkHeldSlots,
} = shared;

/** Letters, digits, `_` and `-`, then also `.`; at most 200 characters. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

/** Whether `value` can be an id in a key (so may name a stored run), without throwing. */
export const isStorableId = (value: string) => SEGMENT.test(value);

/** An id that becomes one segment of a storage key (a file name with the fs driver). */
export function checkId(what: string, value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0)
    fail(`${where}: ${what} must be a non-empty string, got ${describe(value)}`);
  if (!SEGMENT.test(value as string)) {
    fail(
      `${where}: ${what} ${describe(value)} cannot be stored: use at most 200 letters, digits, "_", "-" or "." (not first), so it names no path outside the world's directory`,
    );
  }
  return value as string;
}

export const checkRunId = (runId: unknown, where: string) => checkId("the run id", runId, where);
export const checkTokenHash = (tokenHash: unknown, where: string) => checkId("the token hash", tokenHash, where);

export interface CheckedAppend {
  expectedSeq: number;
  /** The event as readEvents will return it (parsed back from `text`). */
  stored: WorkflowEvent;
  /** Its JSON, as stored. */
  text: string;
  wake: { delayMs: number; key?: string } | undefined;
}

export function checkAppend(runId: string, event: NewEvent, options: AppendOptions): CheckedAppend {
  const where = `append to run ${runId}`;
  const expectedSeq = shared.checkAppend(runId, event, options);
  if (event.type === "hook_created") checkTokenHash(event.data.tokenHash, `${where} (hook_created)`);
  if (event.type.startsWith("hook_")) checkId(`${event.type}'s corr (the hook id)`, event.corr, where);
  const wake = options.wake === undefined ? undefined : checkEnqueue(options.wake, `${where} (wake)`);

  const record: Record<string, unknown> = { v: LOG_FORMAT_VERSION, runId, seq: expectedSeq + 1, type: event.type };
  if (event.corr !== undefined) record.corr = event.corr;
  record.at = event.at;
  record.data = event.data;
  let text: string;
  try {
    text = JSON.stringify(record);
  } catch (error) {
    throw new WorldError(
      `Local world: ${where}: ${event.type}.data is not JSON (${(error as Error).message}); events hold serialized values only.`,
      {
        cause: error,
      },
    );
  }
  return { expectedSeq, stored: JSON.parse(text) as WorkflowEvent, text, wake };
}
