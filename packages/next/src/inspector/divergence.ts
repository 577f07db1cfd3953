/**
 * A run that failed with a ReplayDivergenceError, shown with both calls side by side: what the
 * log recorded at the diverging event (its call and, for a step, the arguments recorded then)
 * and what the code now calls there (the error keeps the new call's arguments).
 */
import { ReplayDivergenceError, type WorkflowEvent } from "@hookline/core/world";
import { type Html, html } from "./html.js";
import { valueBlock } from "./values.js";

/** The side-by-side table, or null when `error` is not a divergence that names both calls. */
export function divergenceBlock(error: unknown, events: readonly WorkflowEvent[]): Html | null {
  if (!ReplayDivergenceError.is(error) || error.recorded === undefined || error.actual === undefined) return null;
  const event = error.seq === undefined ? undefined : events.find((e) => e.seq === error.seq);
  const recordedArgs = event?.type === "step_started" ? event.data.args : undefined;
  const args = (serialized: unknown) =>
    serialized === undefined ? html`<span class="muted">—</span>` : valueBlock(serialized);
  return html`<table class="divergence"><thead><tr><th></th><th>Recorded in the log${event ? html` (event ${String(event.seq)}, ${event.type})` : ""}</th><th>What the code now calls</th></tr></thead><tbody>
<tr><th>Call</th><td data-side="recorded"><code>${error.recorded}</code></td><td data-side="actual"><code>${error.actual}</code></td></tr>
<tr><th>Arguments</th><td data-side="recorded-args">${args(recordedArgs)}</td><td data-side="actual-args">${args(error.actualArgs)}</td></tr>
</tbody></table>`;
}
