import { schedule } from "hookline";
import { listRuns } from "hookline/api";

/**
 * A scheduled workflow: every weekday at 09:00 Berlin time it counts the runs of the last day.
 * The schedule is declared beside the workflow; the server fires it by itself, on whichever
 * instance is up, once per tick (see docs/start-control.md, "Schedules").
 * EXAMPLE_DIGEST_CRON overrides the expression (the tests run it every second).
 */
export async function dailyDigest(team: string) {
  "use workflow";
  const counts = await countRecentRuns();
  return { team, ...counts };
}

async function countRecentRuns() {
  "use step";
  const since = Date.now() - 24 * 3600 * 1000;
  const runs = (await listRuns({ limit: 500 })).filter((run) => run.createdAt.getTime() >= since);
  return { runs: runs.length, failed: runs.filter((run) => run.status === "failed").length };
}

/** Exported as docs/start-control.md shows, for code that reads the schedule's handle. @public */
export const dailyDigestSchedule = schedule(dailyDigest, {
  id: "daily-digest",
  cron: process.env.EXAMPLE_DIGEST_CRON ?? "0 9 * * 1-5",
  timezone: "Europe/Berlin",
  args: ["ops"],
});
