/**
 * Type tests of schedules (checked by `pnpm --filter hookline typecheck`): `args` follow the
 * workflow's parameters, and the options are what the docs say. Nothing here runs.
 */
import { type ScheduleDeclaration, schedule } from "hookline";
import { createSchedule, deleteSchedule, listSchedules, type ScheduleInfo } from "hookline/api";

async function report(team: string, days: number) {
  "use workflow";
  return `${team}:${days}`;
}

export const declared: ScheduleDeclaration = schedule(report, {
  cron: "0 9 * * 1-5",
  timezone: "Europe/Berlin",
  args: ["ops", 7],
});

// @ts-expect-error the arguments must match the workflow's parameters
schedule(report, { cron: "0 9 * * *", args: [7, "ops"] });

// @ts-expect-error cron is required
schedule(report, { timezone: "UTC" });

export async function perCustomer(customerId: string): Promise<ScheduleInfo[]> {
  const created = await createSchedule(report, {
    id: `report:${customerId}`,
    cron: "0 8 * * 1",
    args: [customerId, 30],
  });
  const isNew: boolean = created.created;
  const next: Date | null = created.nextRunAt;
  void isNew;
  void next;
  // @ts-expect-error a runtime schedule needs its id (the dedupe key)
  await createSchedule(report, { cron: "0 8 * * 1", args: [customerId, 30] });
  const removed: boolean = await deleteSchedule(`report:${customerId}`);
  void removed;
  return listSchedules();
}
