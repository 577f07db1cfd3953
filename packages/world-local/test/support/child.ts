/**
 * A process that works on a local world's data directory until the test kills it. It reports
 * progress on stdout, one line per fact, written synchronously so that a line on stdout always
 * means the fact was true before the process could be killed:
 *
 *   append <dir> <runId> <writer>   appends forever (steps, hooks, wakes, timers); "ack <seq>"
 *                                   after each append resolved. Several writers may share a run.
 *   handle <dir>                    consumes the queue with handlers that never finish; "handling <id> <runId>"
 *   secret <dir>                    prints "secret <hex>" and exits
 */
import { writeSync } from "node:fs";
import { EventConflictError, type NewEvent } from "@hookline/core/world";
import { createLocalWorld } from "../../src/index.js";
import { tokenHashFor } from "./tokens.js";

const [mode, dir, runId = "", writer = "w"] = process.argv.slice(2);
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
} else if (mode === "append") {
  let seq = (await world.readEvents(runId)).at(-1)?.seq ?? 0;
  say("ready");
  for (;;) {
    // Extra data fields say who wrote which seq; the size varies so a kill can land in the middle of a larger record.
    const event = nextEvent(seq);
    Object.assign(event.data, { n: seq + 1, writer, pad: "x".repeat(Math.floor(Math.random() * 6000)) });
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
