/**
 * A process that works on a local world's data directory until the test kills it. It reports
 * progress on stdout, one line per fact, written synchronously so that a line on stdout always
 * means the fact was true before the process could be killed:
 *
 *   append <dir> <runId> <writer> [maxPad]  appends forever (steps, hooks, wakes, timers); "ack <seq>"
 *                                   after each append resolved. Several writers may share a run.
 *                                   Each event is padded with 0–maxPad characters (default 6,000).
 *   handle <dir>                    consumes the queue with handlers that never finish; "handling <id> <runId>"
 *   secret <dir>                    prints "secret <hex>" and exits
 *   runs <dir> <prefix> <count>      creates runs (3 workflows) and ends or cancels them; "ran <runId>"
 *                                   after each, "done" after <count> (0: forever)
 */
import { writeSync } from "node:fs";
import { EventConflictError, type NewEvent } from "@hookline/core/world";
import { createLocalWorld } from "../../src/index.js";
import { tokenHashFor } from "./tokens.js";

const [mode, dir, runId = "", writer = "w", maxPad = "6000"] = process.argv.slice(2);
const statusEnds: NewEvent[] = [
  { type: "run_completed", at: 0, data: { result: 1 } },
  { type: "run_failed", at: 0, data: { error: { name: "Error", message: "boom" } } },
  { type: "run_cancelled", at: 0, data: { reason: "test" } },
];
if (!dir) throw new Error("usage: child.ts <append|handle|secret> <dir> [runId] [writer]");
const say = (line: string) => writeSync(1, `${line}\n`);
const world = createLocalWorld({ dir, onError: (error, where) => writeSync(2, `${where}: ${String(error)}\n`) });
await world.start();

if (mode === "secret") {
  say(`secret ${await world.loadSecret()}`);
  await world.close();
} else if (mode === "handle") {
  world.queue.consume(async (message, delivery) => {
    say(`handling ${delivery.id} ${message.runId}`);
    await new Promise(() => {});
  });
  say("ready");
} else if (mode === "runs") {
  // Here runId is the prefix of the runs' ids and writer how many to make.
  const count = Number(writer);
  say("ready");
  for (let i = 0; count === 0 || i < count; i++) {
    const id = `wrun_${runId}_${i}`;
    const at = Date.now();
    const events: NewEvent[] = [
      { type: "run_created", at, data: { workflowId: `wf//runs-${i % 3}`, args: [], seed: "s" } },
    ];
    // By i % 4: running, completed, failed, cancelled before it started.
    if (i % 4 === 3) events.push({ ...statusEnds[2]!, at: at + 1 });
    else events.push({ type: "run_started", at: at + 1, data: {} });
    if (i % 4 === 1 || i % 4 === 2) events.push({ ...statusEnds[(i % 4) - 1]!, at: at + 2 });
    for (const [seq, event] of events.entries()) await world.append(id, event, { expectedSeq: seq });
    say(`ran ${id}`);
  }
  say("done");
  await world.close();
} else if (mode === "append") {
  let seq = (await world.readEvents(runId)).at(-1)?.seq ?? 0;
  say("ready");
  for (;;) {
    // Extra data fields say who wrote which seq; the size varies so a kill can land in the middle of a larger record.
    const event = nextEvent(seq);
    Object.assign(event.data, { n: seq + 1, writer, pad: "x".repeat(Math.floor(Math.random() * Number(maxPad))) });
    const wake = seq % 5 === 0 ? { delayMs: 3_600_000 } : seq % 3 === 0 ? {} : undefined;
    try {
      const stored = await world.append(runId, event, wake ? { expectedSeq: seq, wake } : { expectedSeq: seq });
      seq = stored.seq;
      say(`ack ${seq}`);
    } catch (error) {
      if (!EventConflictError.is(error)) throw error;
      // Another writer took the seq: read what it wrote and go on after it.
      seq = (await world.readEvents(runId, seq)).at(-1)?.seq ?? seq;
    }
  }
}

/** Events in the order a workflow makes them: steps, and now and then a hook that is created and disposed. */
function nextEvent(seq: number): NewEvent {
  const at = Date.now();
  if (seq === 0) return { type: "run_created", at, data: { workflowId: "wf//crash", args: [], seed: "seed" } };
  if (seq === 1) return { type: "run_started", at, data: {} };
  const corr = `o${seq}`;
  switch (seq % 10) {
    case 4:
      return { type: "hook_created", corr, at, data: { kind: "hook", tokenHash: tokenHashFor(seq) } };
    case 5:
      return { type: "hook_disposed", corr: `o${seq - 1}`, at, data: {} };
    case 6:
    case 8:
      return { type: "step_completed", corr, at, data: { stepId: "step//crash", result: { seq } } };
    default:
      return { type: "step_started", corr, at, data: { stepId: "step//crash", attempt: 1 } };
  }
}
