/**
 * What a delivery costs as a run's log grows: 10,000 deliveries with distinct webhook-ids into
 * one `for await` webhook, through the webhook route's handler (dedupe on, as by default). Each
 * is looked up in the world's dedupe index, never by reading the log, so the last thousand must
 * cost no more than 1.2× the first thousand (DESIGN §5).
 */
import { performance } from "node:perf_hooks";
import type { Runtime } from "../src/runtime.js";
import { WORKFLOWS, webhookUrls } from "./bench-app.js";
import { ms, type Row } from "./report.js";

const DELIVERIES = 10_000;
const SLICE = 1_000;

export async function dedupeCost(runtime: Runtime, label: string): Promise<Row[]> {
  // A first run warms the code paths up, so the first measured thousand is not paying for the JIT.
  await deliverInto(runtime, `${label}-warm-up`, SLICE);
  const { slices, runId } = await deliverInto(runtime, label, DELIVERIES);
  const events = (await runtime.world.getRun(runId))!.lastSeq;
  const [first, last] = [slices[0]!, slices.at(-1)!];
  return [
    [`${label}: 10,000 deduped deliveries into one webhook, first 1,000`, ms(first), ""],
    [`${label}: the same, last 1,000 (log at ${events} events)`, ms(last), ""],
    [`${label}: last / first thousand`, `${(last / first).toFixed(2)}×`, "≤ 1.2×"],
  ];
}

/** `count` deliveries with distinct webhook-ids into a new inbox run; the time of each thousand. */
async function deliverInto(
  runtime: Runtime,
  label: string,
  count: number,
): Promise<{ slices: number[]; runId: string }> {
  const key = `dedupe-${label}-${Date.now()}`;
  const run = await runtime.start(WORKFLOWS.inbox, [key, count]);
  while (!webhookUrls.has(key)) await new Promise((resolve) => setTimeout(resolve, 5));
  const url = webhookUrls.get(key)!;
  const token = url.slice(url.lastIndexOf("/") + 1);
  const slices: number[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < count; i++) {
    const request = new Request(url, { method: "POST", headers: { "webhook-id": `evt_${i}` }, body: `{"i":${i}}` });
    const response = await runtime.handleWebhook(token, request);
    if (response.status !== 202) throw new Error(`delivery ${i} answered ${response.status}: ${await response.text()}`);
    if ((i + 1) % SLICE === 0) {
      slices.push(performance.now() - sliceStart);
      sliceStart = performance.now();
    }
  }
  const received = await run.returnValue;
  if (received !== count) throw new Error(`the run counted ${received} deliveries, not ${count}`);
  return { slices, runId: run.runId };
}
