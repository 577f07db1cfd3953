/**
 * Writes the in-flight logs in ./logs with today's code: `node --conditions=hookline-source
 * --import tsx test/history/record.ts <name>…`. Run it only to add a log, naming it: the
 * committed ones are the point (they stand for runs already in flight when the code changes),
 * so only the logs named on the command line are written.
 */
import { readFile, writeFile } from "node:fs/promises";
import { LOG_FORMAT_VERSION } from "../../src/world/events.js";
import { compileApp, createTestRuntime } from "../support/app.js";
import { HISTORY_SECRET } from "./secret.js";

const source = await readFile(new URL("./workflows.ts", import.meta.url), "utf8");
const app = await compileApp({ "workflows/history.ts": source });
const runtime = await createTestRuntime(app, { secret: HISTORY_SECRET });

const only = new Set(process.argv.slice(2));

async function capture(
  name: string,
  workflow: string,
  args: unknown[],
  waitFor: (types: string[]) => boolean,
  next: unknown,
) {
  if (!only.has(name)) return;
  const run = await runtime.start(`workflow//workflows/history.ts//${workflow}`, args);
  for (;;) {
    const events = await runtime.world.readEvents(run.runId);
    if (waitFor(events.map((e) => e.type))) {
      await writeFile(
        new URL(`./logs/${name}.json`, import.meta.url),
        `${JSON.stringify({ formatVersion: LOG_FORMAT_VERSION, workflow, recordedAt: new Date().toISOString(), next, events }, null, 2)}\n`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

await capture("order-waiting-for-approval", "orderFlow", ["o-7"], (t) => t.includes("hook_created"), {
  resumeHook: { token: "history:approve:o-7", payload: { approved: true } },
  result: { orderId: "o-7", status: "approved", reserved: { orderId: "o-7", qty: 2 }, total: 119, at: true, id: 36 },
});
await capture("flaky-waiting-for-webhook", "flakyFlow", ["f"], (t) => t.includes("hook_created"), {
  webhook: { method: "POST", body: { ok: true } },
  result: { outcome: "fatal caught", n: 2, ok: true, method: "POST", random: true },
});
await capture("parent-after-child-waiting-for-hook", "parentFlow", ["p"], (t) => t.includes("hook_created"), {
  resumeHook: { token: "history:parent:p", payload: "go" },
  result: { value: "p!", next: "go", childRunId: true },
});
await capture("values-waiting-for-hook", "valuesFlow", [3], (t) => t.includes("hook_created"), {
  resumeHook: { token: "history:values:3", payload: 7 },
  result: { scaled: 6, summed: 9, doubled: 14 },
});
await runtime.close();
process.exit(0);
