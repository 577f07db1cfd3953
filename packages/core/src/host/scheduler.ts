/**
 * Cron schedules: the world keeps each schedule (declared beside a workflow, or created at run
 * time); a schedule's timer is a message in the world's queue, due at its next tick, so ticks fire
 * through the queue's own durable timers on whichever instance is up (no polling, nothing held in
 * memory), and a timer set before a restart fires after it.
 *
 * A timer firing (fire()) starts the latest due tick, if any, and sets the timer for the next one:
 *
 *   record ← world → latest tick t with since ≤ t ≤ now, after lastTick → start(workflow, args,
 *   { idempotencyKey: "schedule:<id>:<t as ISO>" }) → recordTick → enqueue timer at nextAfter(now)
 *
 * The tick's idempotency key makes it one run per tick however many instances fire the same timer
 * or a redelivered one. Ticks missed while no instance ran are not run one by one: only the latest
 * of them runs, once, when a timer next fires (at start, every instance sets each timer firing now).
 */
import { InvalidArgumentError, WorkflowNotRegisteredError } from "../shared/errors.js";
import type { ScheduleDeclaration, ScheduleOptions } from "../shared/public-types.js";
import { deserialize, serializeAsync } from "../shared/serialization/index.js";
import { type ScheduleRecord, sameDefinition } from "../world/schedules.js";
import type { World } from "../world/world.js";
import { CronSchedule } from "./cron.js";
import { checkDeclaration } from "./declare-schedule.js";
import { tickKey, timerId } from "./schedule-id.js";

const SYNC_BATCH = 16;

/** What the scheduler needs of the runtime. */
export interface SchedulerPort {
  world: Pick<World, "schedules" | "queue">;
  start(workflowId: string, args: unknown[], options: { idempotencyKey: string }): Promise<{ runId: string }>;
  /** The workflows of the loaded build, or null while none is loaded. */
  workflowIds(): ReadonlySet<string> | null;
  report(error: unknown, where: string): void;
}

/** A schedule as listSchedules() shows it. */
export interface ScheduleInfo {
  id: string;
  workflowId: string;
  cron: string;
  timezone: string;
  args: unknown[];
  /** "declared" beside the workflow (schedule()), or "created" with createSchedule(). */
  origin: "declared" | "created";
  createdAt: Date;
  /** The next tick after now; null if the expression matches no later date. */
  nextRunAt: Date | null;
  /** The latest tick that started a run, and that run's id. */
  lastTickAt: Date | undefined;
  lastRunId: string | undefined;
}

export class Scheduler {
  readonly #port: SchedulerPort;

  constructor(port: SchedulerPort) {
    this.#port = port;
  }

  /**
   * Brings the world's declared schedules in line with `declarations` (this build's), removes
   * declared ones the build no longer has, and sets every schedule's timer to fire now, so a tick
   * missed while the app was down runs (the latest one) and the next one is timed.
   */
  async sync(declarations: Iterable<ScheduleDeclaration>): Promise<void> {
    const { schedules } = this.#port.world;
    const now = Date.now();
    const declared = new Set<string>();
    for (const d of declarations) {
      declared.add(d.id);
      const args = await serializeAsync([...d.args], `schedule "${d.id}" args`);
      await schedules.declare({
        id: d.id,
        workflowId: d.workflowId,
        cron: d.cron,
        timezone: d.timezone,
        args,
        origin: "declared",
        createdAt: now,
        since: now,
      });
    }
    const records = await schedules.list();
    // A few at a time: an app with thousands of per-customer schedules starts without a burst.
    for (let i = 0; i < records.length; i += SYNC_BATCH) {
      await Promise.all(
        records
          .slice(i, i + SYNC_BATCH)
          .map((record) =>
            record.origin === "declared" && !declared.has(record.id)
              ? schedules.delete(record.id)
              : this.#fireSoon(record.id),
          ),
      );
    }
  }

  /** createSchedule(): the schedule with `options.id`, stored unless it exists; its timer set. */
  async create(workflowId: string, options: ScheduleOptions): Promise<ScheduleInfo & { created: boolean }> {
    const call = "createSchedule()";
    if (typeof options !== "object" || options === null || options.id === undefined) {
      throw new InvalidArgumentError(
        `${call}: options.id is required: the schedule's dedupe key, e.g. \`report:\${customerId}\`.`,
      );
    }
    const declaration = checkDeclaration({ workflowId }, options, call);
    const known = this.#port.workflowIds();
    if (known && !known.has(workflowId)) {
      throw new WorkflowNotRegisteredError(
        `${call}: workflow "${workflowId}" is not in this build. Known workflows: ${[...known].join(", ") || "none"}.`,
      );
    }
    const now = Date.now();
    const args = await serializeAsync([...declaration.args], `${call} args`);
    const wanted: ScheduleRecord = { ...declaration, args, origin: "created", createdAt: now, since: now };
    const { record, created } = await this.#port.world.schedules.create(wanted);
    if (!created) {
      if (record.origin === "declared") {
        throw new InvalidArgumentError(
          `${call}: id "${record.id}" is a schedule declared beside workflow "${record.workflowId}"; choose another id.`,
        );
      }
      if (!sameDefinition(record, wanted)) {
        throw new InvalidArgumentError(
          `${call}: schedule "${record.id}" exists with another definition (workflow "${record.workflowId}", cron ${JSON.stringify(record.cron)}, timezone ${record.timezone}). To change it, deleteSchedule("${record.id}") first.`,
        );
      }
    } else {
      await this.#fireSoon(record.id);
    }
    return { ...scheduleInfo(record), created };
  }

  /** deleteSchedule(): false if there is no such schedule. Its timer, when it fires, finds nothing and stops. */
  async delete(id: string): Promise<boolean> {
    const record = await this.#port.world.schedules.get(id);
    if (!record) return false;
    if (record.origin === "declared") {
      throw new InvalidArgumentError(
        `deleteSchedule(): schedule "${id}" is declared beside workflow "${record.workflowId}": remove its schedule() call instead.`,
      );
    }
    return this.#port.world.schedules.delete(id);
  }

  async list(): Promise<ScheduleInfo[]> {
    return (await this.#port.world.schedules.list()).map(scheduleInfo);
  }

  /** A schedule's timer fired (see the top of this file). */
  async fire(id: string): Promise<void> {
    const record = await this.#port.world.schedules.get(id);
    if (!record) return; // deleted: its timer stops here
    const cron = CronSchedule.parse(record.cron, record.timezone, `schedule "${id}"`);
    const now = Date.now();
    const due = cron.latestBetween(Math.max(record.since - 1, record.lastTick ?? Number.NEGATIVE_INFINITY), now);
    if (due !== null) {
      try {
        const run = await this.#port.start(record.workflowId, deserialize(record.args) as unknown[], {
          idempotencyKey: tickKey(id, due),
        });
        await this.#port.world.schedules.recordTick(id, due, run.runId);
      } catch (error) {
        // A workflow gone from the build skips its ticks until it is back; anything else is retried.
        if (!WorkflowNotRegisteredError.is(error)) throw error;
        this.#port.report(error, `schedule "${id}" (tick ${new Date(due).toISOString()} skipped)`);
      }
    }
    const next = cron.nextAfter(Math.max(now, due ?? now));
    if (next === null) return;
    const timer = timerId(id);
    await this.#port.world.queue.enqueue(
      { runId: timer },
      { delayMs: Math.max(0, next - Date.now()), key: `${timer}@${next}` },
    );
  }

  async #fireSoon(id: string): Promise<void> {
    const timer = timerId(id);
    await this.#port.world.queue.enqueue({ runId: timer }, { key: `${timer}@now` });
  }
}

/** A stored schedule as listSchedules() shows it: its arguments decoded, its next tick from now. */
export function scheduleInfo(record: ScheduleRecord): ScheduleInfo {
  let nextRunAt: Date | null = null;
  try {
    const next = CronSchedule.parse(record.cron, record.timezone, `schedule "${record.id}"`).nextAfter(Date.now());
    nextRunAt = next === null ? null : new Date(next);
  } catch {
    // A record written by another version with an expression this one refuses: shown without a next run.
  }
  return {
    id: record.id,
    workflowId: record.workflowId,
    cron: record.cron,
    timezone: record.timezone,
    args: deserialize(record.args) as unknown[],
    origin: record.origin,
    createdAt: new Date(record.createdAt),
    nextRunAt,
    lastTickAt: record.lastTick === undefined ? undefined : new Date(record.lastTick),
    lastRunId: record.lastRunId,
  };
}
