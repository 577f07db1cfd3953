/**
 * Declared schedules, checked by `next build` (and each `next dev` rebuild): a `schedule()` whose
 * cron or timezone is written as a string and does not parse fails the build, naming the file,
 * line, field and position, before anything runs or is recorded; so do two schedules with one id.
 * Options computed at run time (`process.env.X ?? "…"`) are checked when the server loads the file.
 */
import { CronSchedule, checkTimezone } from "@hookline/core/runtime";
import type { Manifest } from "@hookline/transform";

export function checkDeclaredSchedules(manifests: Manifest[]): void {
  const ids = new Map<string, string>();
  for (const manifest of manifests) {
    for (const entry of manifest.schedules ?? []) {
      const where = `${manifest.file}:${entry.line}:${entry.column + 1}`;
      const label = `schedule()${entry.id === undefined ? "" : ` (schedule "${entry.id}")`}`;
      try {
        if (entry.cron !== undefined) CronSchedule.parse(entry.cron, entry.timezone ?? "UTC", label);
        else if (entry.timezone !== undefined) checkTimezone(entry.timezone, label);
      } catch (error) {
        throw scheduleError(error instanceof Error ? error.message : String(error), where);
      }
      // Without an id a schedule is known by its workflow's id: one per workflow.
      const id =
        entry.id ?? (entry.workflow === undefined ? undefined : `the workflow ${entry.workflow} of ${manifest.file}`);
      if (id === undefined) continue;
      const first = ids.get(id);
      if (first !== undefined) {
        throw scheduleError(
          `${label}: ${entry.id === undefined ? `a second schedule of ${id} without an id` : `schedule id "${id}" is already declared`} (first at ${first}). Give each schedule its own id.`,
          where,
        );
      }
      ids.set(id, where);
    }
  }
}

function scheduleError(message: string, where: string): Error {
  const error = new Error(`${message} (${where})`);
  error.name = "HooklineScheduleError";
  error.stack = `${error.name}: ${error.message}\n    at ${where}`;
  return error;
}
