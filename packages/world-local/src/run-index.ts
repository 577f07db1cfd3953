/**
 * The run index: one empty file per run under its workflow and status, in time buckets
 * (keys.ts), and per workflow a counts file with its runs per status, so a page of runs reads
 * a few directories and the page's summaries, and counts read one file per workflow.
 *
 * `ensure(summary)` makes a run's entries agree with its summary: under the workflow's lock
 * (file-lock.ts, shared by processes) it writes the counts file with a `pending` note first
 * (the run and which entries it had), then moves the entry, then writes the new counts. A
 * process killed inside leaves the note, and the next holder of the lock recounts that run's
 * entries from it, so the counts always equal the entries. The entries follow the log the way
 * hooks do (runs.ts): written before the summary checkpoint, so catching a run up from its
 * checkpoint repairs them; a world written before the index existed is indexed once at start.
 *
 * Reruns have entries of their own under the run they rerun, written when their run_created is
 * applied (so repaired the same way), so a run page finds a run's reruns without reading its
 * workflow's runs; a world written before they existed gets them once at start.
 */
import { createHash } from "node:crypto";
import type { RunCount, RunStatus, RunSummary } from "@hookline/core/world";
import { withFileLock } from "./file-lock.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import {
  RERUNS_BUILT_KEY,
  RUN_COUNTS_BASE,
  RUN_INDEX_BUILT_KEY,
  rerunsBase,
  runCountsBrokenKey,
  runCountsKey,
  runCountsLockKey,
  runScopeBase,
} from "./keys.js";
import type { Store } from "./store.js";

export const RUN_STATUSES: readonly RunStatus[] = ["pending", "running", "completed", "failed", "cancelled"];

/** What an entry needs of a run. */
export type IndexedRun = Pick<RunSummary, "runId" | "workflowId" | "status" | "createdAt">;

export interface CountsFile {
  workflowId: string;
  counts: Partial<Record<RunStatus, number>>;
  /** A move in flight (or cut off by a crash): the run and the statuses it had entries in before. */
  pending?: { runId: string; createdAt: number; before: RunStatus[] };
}

const pad = (value: number, width: number) => String(Math.max(0, Math.trunc(value))).padStart(width, "0");

/** The workflow's segment in keys: a hash, since a workflow id may hold any character. */
export const workflowKeyOf = (workflowId: string) => createHash("sha256").update(workflowId).digest("hex").slice(0, 32);
export const dayOf = (createdAt: number) => pad(createdAt / 1e8, 8);
export const sliceOf = (createdAt: number) => pad(createdAt / 1e6, 11);
/** An entry's name; names sort as runs do in a list (createdAt, then runId). */
export const entryName = (createdAt: number, runId: string) => `${pad(createdAt, 15)}~${runId}`;
export const runIdOfEntry = (name: string) => name.slice(name.indexOf("~") + 1);

export class RunIndex {
  readonly #store: Store;
  readonly #locks: KeyedMutex;
  /** Bucket markers this process knows exist (they are never removed). */
  readonly #markers = new Set<string>();
  #rerunsBuilt = false;

  constructor(store: Store, locks: KeyedMutex) {
    this.#store = store;
    this.#locks = locks;
  }

  /** Whether every run in storage is indexed (false for a world written before the index existed). */
  built(): Promise<boolean> {
    return this.#store.has(RUN_INDEX_BUILT_KEY);
  }

  async markBuilt(): Promise<void> {
    await this.#store.create(RUN_INDEX_BUILT_KEY, JSON.stringify({ at: Date.now() }));
  }

  /** Whether every rerun in storage has its entry (false for a world written before they had one). */
  async rerunsBuilt(): Promise<boolean> {
    this.#rerunsBuilt ||= await this.#store.has(RERUNS_BUILT_KEY);
    return this.#rerunsBuilt;
  }

  async markRerunsBuilt(): Promise<void> {
    await this.#store.create(RERUNS_BUILT_KEY, JSON.stringify({ at: Date.now() }));
  }

  /** Records that `run` reruns `run.rerunOf`, if it does (idempotent). */
  async addRerun(run: Pick<RunSummary, "runId" | "createdAt" | "rerunOf">): Promise<void> {
    if (run.rerunOf !== undefined)
      await this.#store.create(`${rerunsBase(run.rerunOf)}:${entryName(run.createdAt, run.runId)}`, "1");
  }

  /** The entry names of the runs that rerun `runId`, newest first. */
  async reruns(runId: string): Promise<string[]> {
    const base = rerunsBase(runId);
    const keys = await this.#store.keys(base, base.split(":").length);
    return keys
      .map((key) => key.slice(base.length + 1))
      .sort()
      .reverse();
  }

  /** Makes the run's entries and its workflow's counts agree with `run` (idempotent). */
  ensure(run: IndexedRun): Promise<void> {
    const wf = workflowKeyOf(run.workflowId);
    return this.#locked(wf, async () => {
      const file = (await this.#store.read<CountsFile>(runCountsKey(wf))) ?? { workflowId: run.workflowId, counts: {} };
      let changed = await this.#recover(wf, file);
      const before = await this.#presence(wf, run.runId, run.createdAt);
      if (before.length !== 1 || before[0] !== run.status) {
        file.pending = { runId: run.runId, createdAt: run.createdAt, before };
        await this.#store.write(runCountsKey(wf), file);
        await this.#createEntry(wf, run.status, run.createdAt, run.runId);
        for (const status of before)
          if (status !== run.status) await this.#store.remove(this.#entryKey(wf, status, run.createdAt, run.runId));
        applyDelta(file, before, [run.status]);
        delete file.pending;
        changed = true;
      }
      if (changed) await this.#store.write(runCountsKey(wf), file);
    });
  }

  /** Every workflow's counts file, a note left by a killed process settled first. */
  async countsFiles(workflowId?: string): Promise<Array<{ wf: string; file: CountsFile }>> {
    const wfs =
      workflowId === undefined
        ? (await this.#store.keys(RUN_COUNTS_BASE, 2))
            .filter((key) => key.endsWith(".json"))
            .map((key) => key.slice(RUN_COUNTS_BASE.length + 1, -5))
        : [workflowKeyOf(workflowId)];
    const found: Array<{ wf: string; file: CountsFile }> = [];
    for (const wf of wfs) {
      let file = await this.#store.read<CountsFile>(runCountsKey(wf));
      if (file?.pending) file = await this.#settle(wf);
      if (file && (workflowId === undefined || file.workflowId === workflowId)) found.push({ wf, file });
    }
    return found;
  }

  async counts(workflowId?: string): Promise<RunCount[]> {
    const rows: RunCount[] = [];
    for (const { file } of await this.countsFiles(workflowId)) {
      for (const status of RUN_STATUSES) {
        const count = file.counts[status] ?? 0;
        if (count > 0) rows.push({ workflowId: file.workflowId, status, count });
      }
    }
    return rows.sort(
      (a, b) =>
        (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0) ||
        RUN_STATUSES.indexOf(a.status) - RUN_STATUSES.indexOf(b.status),
    );
  }

  // -- internals -------------------------------------------------------------------------------

  #locked<T>(wf: string, task: () => Promise<T>): Promise<T> {
    return this.#locks.run(`runindex:${wf}`, () =>
      withFileLock(this.#store, { lockKey: runCountsLockKey(wf), brokenKey: (id) => runCountsBrokenKey(wf, id) }, task),
    );
  }

  /** Takes the lock to settle a note a killed process left; returns the file as it is then. */
  #settle(wf: string): Promise<CountsFile | null> {
    return this.#locked(wf, async () => {
      const file = await this.#store.read<CountsFile>(runCountsKey(wf));
      if (file && (await this.#recover(wf, file))) await this.#store.write(runCountsKey(wf), file);
      return file;
    });
  }

  /** Recounts the run of a note left by a process killed inside the lock (hold the lock); true if there was one. */
  async #recover(wf: string, file: CountsFile): Promise<boolean> {
    const pending = file.pending;
    if (!pending) return false;
    applyDelta(file, pending.before, await this.#presence(wf, pending.runId, pending.createdAt));
    delete file.pending;
    return true;
  }

  /** The statuses the run has entries in. */
  async #presence(wf: string, runId: string, createdAt: number): Promise<RunStatus[]> {
    const found: RunStatus[] = [];
    for (const status of RUN_STATUSES)
      if (await this.#store.has(this.#entryKey(wf, status, createdAt, runId))) found.push(status);
    return found;
  }

  async #createEntry(wf: string, status: RunStatus, createdAt: number, runId: string): Promise<void> {
    const scope = runScopeBase(wf, status);
    const day = dayOf(createdAt);
    // Markers first: a listing finds entries through them.
    for (const marker of [`${scope}:${day}.b`, `${scope}:${day}:${sliceOf(createdAt)}.b`]) {
      if (this.#markers.has(marker)) continue;
      await this.#store.create(marker, "1");
      this.#markers.add(marker);
    }
    await this.#store.create(this.#entryKey(wf, status, createdAt, runId), "1");
  }

  #entryKey(wf: string, status: RunStatus, createdAt: number, runId: string): string {
    return `${runScopeBase(wf, status)}:${dayOf(createdAt)}:${sliceOf(createdAt)}:${entryName(createdAt, runId)}`;
  }
}

function applyDelta(file: CountsFile, before: readonly RunStatus[], after: readonly RunStatus[]): void {
  for (const status of before) file.counts[status] = (file.counts[status] ?? 0) - 1;
  for (const status of after) file.counts[status] = (file.counts[status] ?? 0) + 1;
}
