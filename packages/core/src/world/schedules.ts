/**
 * Cron schedules as the world keeps them: one record per schedule id, declared beside a workflow
 * (written by every instance from its code at start) or created at run time (createSchedule). The
 * world stores and compares; when a schedule's ticks are due is the runtime's business (its timer
 * is a queue message, see host/scheduler.ts).
 */
import type { Serialized } from "./events.js";

export interface ScheduleRecord {
  /** 1 to 128 bytes of UTF-8; unique among all schedules, declared or created. */
  id: string;
  workflowId: string;
  /** A cron expression (5 fields, or 6 with seconds first) and the IANA timezone it is read in. */
  cron: string;
  timezone: string;
  /** The workflow's arguments, serialized. */
  args: Serialized;
  origin: "declared" | "created";
  createdAt: number;
  /** Ticks at or before this never run: the schedule's creation, or the last change of its definition. */
  since: number;
  /** The latest tick that started a run, and that run. */
  lastTick?: number;
  lastRunId?: string;
}

/** The parts of a record that define what runs when (a change moves `since`). */
export function sameDefinition(a: ScheduleRecord, b: ScheduleRecord): boolean {
  return (
    a.workflowId === b.workflowId &&
    a.cron === b.cron &&
    a.timezone === b.timezone &&
    JSON.stringify(a.args) === JSON.stringify(b.args)
  );
}

export interface WorldSchedules {
  /**
   * Stores `record` unless a schedule with its id exists, atomically (concurrent creates with one
   * id, in any number of processes, store one); returns the stored record and whether it is this one.
   */
  create(record: ScheduleRecord): Promise<{ record: ScheduleRecord; created: boolean }>;
  /**
   * Writes a declared schedule's definition: creates it, or updates workflow, cron, timezone and
   * args, moving `since` to the given record's only when they changed; keeps lastTick/lastRunId.
   */
  declare(record: ScheduleRecord): Promise<void>;
  get(id: string): Promise<ScheduleRecord | null>;
  /** Every schedule, by id. */
  list(): Promise<ScheduleRecord[]>;
  /** Removes the schedule; false if there was none. */
  delete(id: string): Promise<boolean>;
  /** Records that `tick` started `runId`, unless a later tick is recorded already. */
  recordTick(id: string, tick: number, runId: string): Promise<void>;
}
