/**
 * The DESIGN.md §5 latencies measured the same way on any world: start() → first step body,
 * and a webhook POST over loopback HTTP → 202 → run completed.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { Runtime } from "../src/runtime.js";
import { serveWebhooks } from "../test/support/http-server.js";
import { stepStarts, WORKFLOWS, webhookUrls } from "./bench-app.js";
import { ms, percentile, type Row } from "./report.js";

export async function startToFirstStep(runtime: Runtime, samples = 200): Promise<Row[]> {
  const firstStep: number[] = [];
  for (let i = 0; i < samples; i++) {
    stepStarts.length = 0;
    const started = performance.now();
    await (await runtime.start(WORKFLOWS.sequential, [1])).returnValue;
    firstStep.push(stepStarts[0]! - started);
  }
  return [["start() → first step body p50", ms(percentile(firstStep, 50)), "≤ 10 ms"]];
}

/**
 * POSTs to a run's webhook through runtime.handleWebhook behind a loopback HTTP server (rate
 * limit off: every request is from 127.0.0.1). The sender is a worker thread, as an outside
 * service is never on the server's event loop; times are absolute (timeOrigin + now) on both.
 */
export async function webhookToCompleted(runtime: Runtime, samples = 200): Promise<Row[]> {
  const http = await serveWebhooks(runtime);
  const sender = new Worker(SENDER, { eval: true });
  const send = (url: string, body: string) =>
    new Promise<{ sentAt: number; answeredAt: number; status: number }>((resolve, reject) => {
      sender.once("message", resolve);
      sender.once("error", reject);
      sender.postMessage({ url, body });
    });
  const answered: number[] = [];
  const completed: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const key = `w${i}`;
      let runId = "";
      // The run is suspended on its webhook once the step that handed out the URL is recorded.
      const suspended = nextEvent(runtime, (event) => event.runId === runId && event.type === "step_completed");
      const run = await runtime.start(WORKFLOWS.waitForWebhook, [key]);
      runId = run.runId;
      await suspended;
      const url = webhookUrls.get(key)!;
      const ended = run.returnValue.then((method) => ({ method, at: now() }));
      const { sentAt, answeredAt, status } = await send(http.url(url.slice(url.lastIndexOf("/") + 1)), `{"i":${i}}`);
      if (status !== 202) throw new Error(`webhook POST answered ${status}, expected 202`);
      const end = await ended;
      if (end.method !== "POST") throw new Error(`run ${runId} did not return the webhook request's method`);
      answered.push(answeredAt - sentAt);
      completed.push(end.at - sentAt);
    }
  } finally {
    await sender.terminate();
    await http.close();
  }
  return [
    ["webhook POST → 202 (hook_received recorded) p50", ms(percentile(answered, 50)), ""],
    ["webhook POST → workflow resumed → run completed p50", ms(percentile(completed, 50)), "≤ 5 ms"],
    ["webhook POST → workflow resumed → run completed p99", ms(percentile(completed, 99)), ""],
  ];
}

const now = () => performance.timeOrigin + performance.now();

/** The outside service: POSTs what it is sent and reports when it sent it and when the answer was in. */
const SENDER = `
  const { parentPort } = require("node:worker_threads");
  const now = () => performance.timeOrigin + performance.now();
  parentPort.on("message", async ({ url, body }) => {
    const sentAt = now();
    const response = await fetch(url, { method: "POST", body });
    await response.arrayBuffer();
    parentPort.postMessage({ sentAt, answeredAt: now(), status: response.status });
  });
`;

/** The next append to the world of `runtime` matching `predicate` (run id and event type). */
function nextEvent(runtime: Runtime, predicate: (event: { runId: string; type?: string }) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const stop = runtime.world.onAppend((runId, _seq, type) => {
      if (!predicate({ runId, type })) return;
      stop();
      resolve();
    });
  });
}
