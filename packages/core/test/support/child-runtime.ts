/**
 * A runtime in its own process, for crash tests and benchmarks: `node --conditions=hookline-source
 * --import tsx child-runtime.ts <appDir> <world>`, where <world> is a ChildWorld as JSON (see
 * child-process.ts). Reads commands on stdin, one JSON per line:
 * {"start": workflowId, "args": [...]} → prints `started <runId>`;
 * {"start": workflowId, "args": [...], "count": n} → starts n runs at once, prints `started <n> runs`;
 *   any command that starts runs may carry "options" (start()'s options, e.g. { concurrency });
 * {"start": workflowId, "args": [...], "keys": [...]} → starts one run per idempotency key, all at
 *   once, printing `keyed <key> <runId>` as each start returns;
 * {"resume": token, "payload": ...} → prints `resumed <token>`; with "die": true, the process
 *   SIGKILLs itself as soon as the payload is recorded, before its run could react in memory;
 * {"await": runId} → awaits its return value, prints `ended <runId> <value as JSON> <waits still pending>`;
 * {"close": true} → closes the runtime (running steps finish) and exits;
 * {"linger": true} → closes the runtime, prints `resources <what keeps the process alive, as JSON>`,
 *   and stops reading stdin, so the process exits only if nothing else holds it.
 * Steps print their own markers. The parent kills it with SIGKILL whenever it likes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { getRun } from "../../src/api.js";
import { Runtime, registries, type StartOptions, setRuntime } from "../../src/runtime.js";
import { type ChildWorld, openWorld } from "./child-process.js";

const [appDir, worldArg] = process.argv.slice(2) as [string, string];
const app = JSON.parse(await readFile(join(appDir, "app.json"), "utf8")) as { bundle: string; modules: string[] };
for (const module of app.modules) await import(pathToFileURL(module).href);

const runtime = await Runtime.create({
  world: await openWorld(JSON.parse(worldArg) as ChildWorld),
  secret: "crash-test-secret-0123456789abcdef0123456789",
  bundle: { code: await readFile(app.bundle, "utf8") },
  steps: registries().steps,
  retry: { baseDelayMs: 20 },
});
setRuntime(runtime);
console.log("ready");

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as {
    start?: string;
    args?: unknown[];
    count?: number;
    keys?: string[];
    options?: StartOptions;
    resume?: string;
    payload?: unknown;
    die?: boolean;
    await?: string;
    close?: boolean;
    linger?: boolean;
  };
  if (command.start && command.keys) {
    const { start, args = [] } = command;
    await Promise.all(
      command.keys.map(async (idempotencyKey) =>
        console.log(`keyed ${idempotencyKey} ${(await runtime.start(start, args, { idempotencyKey })).runId}`),
      ),
    );
  } else if (command.start && command.count !== undefined) {
    const { start, args = [] } = command;
    const runs = await Promise.all(
      Array.from({ length: command.count }, () => runtime.start(start, args, command.options)),
    );
    console.log(`started ${runs.length} runs`);
  } else if (command.start)
    console.log(`started ${(await runtime.start(command.start, command.args ?? [], command.options)).runId}`);
  if (command.resume) {
    await runtime.resumeHook(command.resume, command.payload);
    // Synchronously: the run, woken in memory by the append, gets no turn of the event loop.
    if (command.die) process.kill(process.pid, "SIGKILL");
    console.log(`resumed ${command.resume}`);
  }
  if (command.await) {
    const value = await getRun(command.await).returnValue;
    console.log(`ended ${command.await} ${JSON.stringify(value)} ${runtime.pendingWaits}`);
  }
  if (command.close) {
    await runtime.close();
    process.exit(0);
  }
  if (command.linger) {
    await runtime.close();
    console.log(`resources ${JSON.stringify(process.getActiveResourcesInfo())}`);
    process.stdin.destroy();
    break;
  }
}
