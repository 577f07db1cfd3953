/**
 * A replay-check worker thread (see replay-pool.ts): compiles the bundle once, says it is ready,
 * then checks each batch of logs the pool sends, in that batch's order, and answers with the
 * reports. A batch that throws is answered with `failed`: the pool checks it again in its own
 * thread, which throws the error with its class.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkflowEvent } from "../world/events.js";
import type { WorkflowBundleSource } from "./registry.js";
import { checkLogsHere } from "./replay-check.js";
import { WorkflowBundle } from "./sandbox.js";

export interface ReplayBatch {
  batch: number;
  logs: WorkflowEvent[][];
}

const { source, id } = workerData as { source: WorkflowBundleSource; id: string };
const bundle = new WorkflowBundle(source, id);

parentPort?.on("message", ({ batch, logs }: ReplayBatch) => {
  checkLogsHere(logs, bundle).then(
    (reports) => parentPort?.postMessage({ batch, reports }),
    () => parentPort?.postMessage({ batch, failed: true }),
  );
});
parentPort?.postMessage({ ready: true });
