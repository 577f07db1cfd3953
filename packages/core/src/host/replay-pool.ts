/**
 * Replay checks of many logs on worker threads: each worker compiles the bundle once and checks
 * batches of logs as the pool hands them out (a worker that is done takes the next batch), so
 * every core replays. Reports come back by batch and are put in the logs' order: the same
 * reports, in the same order, as checking them one after another in this thread.
 *
 *   const script = workerScript();
 *   if (script) reports = await checkOnWorkers(script, firstLogs, moreLogs, bundle, 4);
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WorkflowEvent } from "../world/events.js";
import { checkLogsHere, type ReplayReport } from "./replay-check.js";
import type { ReplayBatch } from "./replay-worker.js";
import type { WorkflowBundle } from "./sandbox.js";

/** Logs a worker is handed at once: enough to keep its thread busy between messages. */
const BATCH = 50;

/**
 * The code a worker starts with: it imports the worker's module beside this one. Null where this
 * process cannot: from TypeScript sources (tests, benchmarks) only when run through tsx, whose
 * hooks a worker registers for itself (they do not carry over to workers).
 */
export function workerScript(): string | null {
  const here = typeof import.meta.url === "string" ? import.meta.url : undefined;
  if (!here?.startsWith("file:")) return null;
  const fromSource = here.endsWith(".ts");
  // Built: the entry chunks sit in dist/, the worker entry in dist/host/.
  const entry = fromSource ? new URL("./replay-worker.ts", here) : new URL("./host/replay-worker.js", here);
  if (!existsSync(fileURLToPath(entry))) return null;
  if (!fromSource) return `import(${JSON.stringify(entry.href)});`;
  if (!process.execArgv.some((arg) => /\btsx\b/.test(arg))) return null;
  const tsx = import.meta.resolve("tsx/esm/api");
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/**
 * `checkLog` of every log of `first` then `rest`, on this thread and `count` workers, each taking
 * the next batch when done with one: this thread starts at once, workers join once started. A
 * batch whose check throws in a worker, or whose worker stops, goes back to this thread, which
 * throws the error as it is.
 */
export function checkOnWorkers(
  script: string,
  first: WorkflowEvent[][],
  rest: AsyncIterator<WorkflowEvent[]>,
  bundle: WorkflowBundle,
  count: number,
): Promise<ReplayReport[]> {
  return new Promise((resolve, reject) => {
    const byBatch: ReplayReport[][] = [];
    const waiting: ReplayBatch[] = [];
    const idle: Worker[] = [];
    const inFlight = new Map<Worker, ReplayBatch>();
    /** Batches only this thread may check (they failed on a worker). */
    const mine: ReplayBatch[] = [];
    let checkingHere = false;
    let batches = 0;
    let answered = 0;
    let readAll = false;
    let over = false;

    const finish = (error?: unknown) => {
      if (over) return;
      over = true;
      // Started or not: one that has not said it is ready yet is in neither list.
      for (const worker of workers) void worker.terminate();
      if (error === undefined) resolve(byBatch.flat());
      else reject(error);
    };
    const settle = (batch: ReplayBatch, reports: ReplayReport[]) => {
      byBatch[batch.batch] = reports;
      answered += 1;
      if (readAll && answered === batches) finish();
    };
    const dispatch = () => {
      while (!over && idle.length > 0 && waiting.length > 0) {
        const worker = idle.pop()!;
        const batch = waiting.shift()!;
        inFlight.set(worker, batch);
        worker.postMessage(batch);
      }
      if (over || checkingHere) return;
      const batch = mine.shift() ?? waiting.shift();
      if (!batch) return;
      checkingHere = true;
      checkLogsHere(batch.logs, bundle).then((reports) => {
        checkingHere = false;
        settle(batch, reports);
        dispatch();
      }, finish);
    };
    const lost = (worker: Worker) => {
      const batch = inFlight.get(worker);
      inFlight.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      if (batch) mine.push(batch);
      dispatch();
    };

    const workers = Array.from(
      { length: count },
      () => new Worker(script, { eval: true, workerData: { source: bundle.source, id: bundle.id } }),
    );
    for (const worker of workers) {
      worker.on("message", (answer: { ready?: true; batch: number; reports?: ReplayReport[]; failed?: true }) => {
        // Handed a batch only once it has loaded: until then this thread takes them.
        if (answer.ready) {
          idle.push(worker);
          dispatch();
          return;
        }
        const batch = inFlight.get(worker)!;
        inFlight.delete(worker);
        idle.push(worker);
        if (answer.reports) settle(batch, answer.reports);
        else mine.push(batch);
        dispatch();
      });
      worker.on("error", () => lost(worker));
      worker.on("exit", () => {
        if (!over) lost(worker);
      });
    }

    const add = (logs: WorkflowEvent[][]) => {
      waiting.push({ batch: batches++, logs });
      dispatch();
    };
    for (let i = 0; i < first.length; i += BATCH) add(first.slice(i, i + BATCH));
    (async () => {
      let logs: WorkflowEvent[][] = [];
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        logs.push(next.value);
        if (logs.length === BATCH) {
          add(logs);
          logs = [];
        }
      }
      if (logs.length > 0) add(logs);
      readAll = true;
      if (answered === batches) finish();
    })().catch(finish);
  });
}
