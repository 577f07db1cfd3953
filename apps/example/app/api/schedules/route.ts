import { listSchedules } from "hookline/api";

export const dynamic = "force-dynamic";

/** The app's cron schedules with their next and latest ticks (see workflows/digest.ts). */
export async function GET() {
  return Response.json({ schedules: await listSchedules(), now: Date.now() });
}
