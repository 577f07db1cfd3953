/** The inspector's schedules page: every cron schedule, its next tick (counting down) and its latest tick's run. */
import type { ScheduleInfo } from "@hookline/core/runtime";
import { countdown, html, time } from "./html.js";
import { layout, type PageContext } from "./pages.js";

export function schedulesPage(ctx: PageContext, schedules: ScheduleInfo[]): string {
  const runLink = (runId: string) =>
    html`<a href="${ctx.base}/runs/${encodeURIComponent(runId)}"><code>${runId}</code></a>`;
  const rows = schedules.map(
    (
      s,
    ) => html`<tr><td><code>${s.id}</code></td><td><code>${s.workflowId.split("//").pop() ?? s.workflowId}</code></td><td><code>${s.cron}</code></td><td>${s.timezone}</td><td>${s.origin}</td>
<td>${time(s.nextRunAt?.getTime())} ${s.nextRunAt ? countdown(s.nextRunAt.getTime(), ctx.now) : ""}</td><td>${time(s.lastTickAt?.getTime())}</td><td>${s.lastRunId ? runLink(s.lastRunId) : ""}</td></tr>`,
  );
  return layout(
    ctx,
    "Schedules",
    html`<h1>Schedules</h1><table class="schedules"><thead><tr><th>Schedule</th><th>Workflow</th><th>Cron</th><th>Timezone</th><th>Origin</th><th>Next tick</th><th>Latest tick</th><th>Its run</th></tr></thead><tbody>
${schedules.length === 0 ? html`<tr><td colspan="8" class="muted">No schedules: declare one with schedule() beside a workflow, or call createSchedule().</td></tr>` : ""}
${rows}</tbody></table>`,
  );
}
