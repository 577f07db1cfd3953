/**
 * The runs list's time filter: runs created from `from` (inclusive) to `to` (exclusive), times
 * given as in the form (`2026-12-07T09:30`, read as UTC) or as full ISO strings. It rides on
 * listRuns' newest-first cursor: `to` is where the first page starts, and a page stops at the
 * first run older than `from`, so a range costs what a page costs.
 */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** A form's time (UTC unless it names a zone); undefined if empty or not a time. */
export function parseTime(text: string | null | undefined): number | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  const zoned = /(?:Z|[+-]\d\d:\d\d)$/i.test(value) ? value : `${value}Z`;
  const at = Date.parse(zoned);
  return Number.isFinite(at) ? at : undefined;
}

export function rangeOf(params: { get(name: string): string | null }): TimeRange {
  const range: TimeRange = {};
  const from = parseTime(params.get("from"));
  const to = parseTime(params.get("to"));
  if (from !== undefined) range.from = from;
  if (to !== undefined) range.to = to;
  return range;
}

/** Where listing starts: the page cursor if there is one, else just below `to`. */
export function startOf(range: TimeRange, cursor: { createdAt: number; runId: string } | undefined) {
  if (cursor) return cursor;
  // Every run id sorts after "", so this lists runs created strictly before `to`.
  return range.to === undefined ? undefined : { createdAt: range.to, runId: "" };
}

export function inRange(range: TimeRange, createdAt: number): boolean {
  return (range.from === undefined || createdAt >= range.from) && (range.to === undefined || createdAt < range.to);
}

/** A time as links and hidden fields carry it (exact, UTC). */
export function isoTime(at: number | undefined): string | undefined {
  return at === undefined ? undefined : new Date(at).toISOString();
}

/** The form's value for a time: minutes precision, UTC. */
export function formTime(at: number | undefined): string {
  return at === undefined ? "" : new Date(at).toISOString().slice(0, 16);
}
