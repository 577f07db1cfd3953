/**
 * listRuns over the run index (run-index.ts): each (workflow, status) scope is read newest
 * first, bucket by bucket, only as far as the page needs; the scopes are merged by entry name
 * (createdAt, then runId), and each entry is checked against its run's summary, so an entry a
 * crash left behind is skipped (and repaired) instead of listed. A `rerunOf` filter reads that
 * run's rerun entries instead (a few per run), then their summaries.
 */
import type { ListRunsOptions, RunStatus, RunSummary } from "@hookline/core/world";
import { isStorableId } from "./checks.js";
import { runScopeBase } from "./keys.js";
import { entryName, RUN_STATUSES, type RunIndex, runIdOfEntry } from "./run-index.js";
import type { Store } from "./store.js";

export interface RunListDeps {
  store: Store;
  index: Pick<RunIndex, "countsFiles" | "ensure" | "reruns" | "rerunsBuilt">;
  /** The run's summary as of the end of its log. */
  summary(runId: string): Promise<RunSummary | null>;
}

interface Cursor {
  status: RunStatus;
  workflowId: string;
  entries: AsyncGenerator<string>;
  head: string | undefined;
}

export async function listIndexedRuns(
  deps: RunListDeps,
  options: {
    statuses?: RunStatus[];
    workflowId?: string;
    rerunOf?: string;
    limit: number;
    before?: ListRunsOptions["before"];
  },
): Promise<RunSummary[]> {
  const { statuses = RUN_STATUSES, workflowId, rerunOf, limit, before } = options;
  const bound = before ? entryName(before.createdAt, before.runId) : undefined;
  const wanted = (summary: RunSummary) =>
    statuses.includes(summary.status) && (workflowId === undefined || summary.workflowId === workflowId);
  // Only a stored run id can be rerun; anything else names no entries (and no path).
  if (rerunOf !== undefined && !isStorableId(rerunOf)) return [];
  if (rerunOf !== undefined && (await deps.index.rerunsBuilt())) return listReruns(deps, rerunOf, wanted, limit, bound);
  const cursors: Cursor[] = [];
  for (const { wf, file } of await deps.index.countsFiles(workflowId)) {
    for (const status of statuses) {
      // An empty scope is not read (its counts are exact: see run-index.ts).
      if ((file.counts[status] ?? 0) <= 0) continue;
      const entries = scopeEntries(deps.store, runScopeBase(wf, status), bound);
      cursors.push({ status, workflowId: file.workflowId, entries, head: (await entries.next()).value ?? undefined });
    }
  }
  const found: RunSummary[] = [];
  const listed = new Set<string>();
  while (found.length < limit) {
    let newest: Cursor | undefined;
    for (const cursor of cursors)
      if (cursor.head !== undefined && (newest?.head === undefined || cursor.head > newest.head)) newest = cursor;
    if (!newest?.head) break;
    const runId = runIdOfEntry(newest.head);
    newest.head = (await newest.entries.next()).value ?? undefined;
    const summary = await deps.summary(runId);
    if (!summary) continue;
    if (summary.status !== newest.status || summary.workflowId !== newest.workflowId) {
      // The log is ahead of this entry: a status change being applied right now (by this process
      // or another), or one a crash cut off before its index move. The log wins: the entry is
      // moved, and the run is listed here, at its place in the order, if its status is asked for.
      await deps.index.ensure(summary);
      if (!wanted(summary)) continue;
    }
    // Met again in the scope it moved to.
    if (listed.has(runId)) continue;
    listed.add(runId);
    // A world whose reruns are not indexed yet (before its first start completed): found among the workflow's runs.
    if (rerunOf !== undefined && summary.rerunOf !== rerunOf) continue;
    found.push({ ...summary });
  }
  for (const cursor of cursors) await cursor.entries.return(undefined);
  return found;
}

/** The runs that rerun `rerunOf` (from its rerun entries) that are `wanted`, newest first, below `bound`. */
async function listReruns(
  deps: RunListDeps,
  rerunOf: string,
  wanted: (summary: RunSummary) => boolean,
  limit: number,
  bound: string | undefined,
): Promise<RunSummary[]> {
  const found: RunSummary[] = [];
  for (const name of await deps.index.reruns(rerunOf)) {
    if (found.length >= limit) break;
    if (bound !== undefined && name >= bound) continue;
    const summary = await deps.summary(runIdOfEntry(name));
    if (summary?.rerunOf === rerunOf && wanted(summary)) found.push({ ...summary });
  }
  return found;
}

/** A scope's entry names, newest first, below `bound` if given: its day buckets, their ~17 min slices, their entries. */
async function* scopeEntries(store: Store, scope: string, bound: string | undefined): AsyncGenerator<string> {
  const depth = scope.split(":").length;
  const boundDay = bound === undefined ? undefined : bucketOf(bound, 1e8, 8);
  const boundSlice = bound === undefined ? undefined : bucketOf(bound, 1e6, 11);
  for (const day of await markers(store, scope, depth)) {
    if (boundDay !== undefined && day > boundDay) continue;
    for (const slice of await markers(store, `${scope}:${day}`, depth + 1)) {
      if (boundSlice !== undefined && slice > boundSlice) continue;
      const names = (await store.keys(`${scope}:${day}:${slice}`, depth + 2)).map(leaf).sort().reverse();
      for (const name of names) if (bound === undefined || name < bound) yield name;
    }
  }
}

/** The bucket names marked under `base` (its `<name>.b` files), newest first. */
async function markers(store: Store, base: string, maxDepth: number): Promise<string[]> {
  const keys = await store.keys(base, maxDepth);
  return keys
    .map(leaf)
    .filter((name) => name.endsWith(".b"))
    .map((name) => name.slice(0, -2))
    .sort()
    .reverse();
}

const leaf = (key: string) => key.slice(key.lastIndexOf(":") + 1);

/** The bucket (as named in keys) of an entry name's createdAt. */
function bucketOf(name: string, size: number, width: number): string {
  return String(Math.trunc(Number(name.slice(0, name.indexOf("~"))) / size)).padStart(width, "0");
}
