/**
 * A runtime in its own process, for crash tests: `node --conditions=hookline-source --import
 * tsx child-runtime.ts <appDir> <dataDir>`. Reads commands on stdin, one JSON per line:
 * {"start": workflowId, "args": [...]} → prints `started <runId>`;
 * {"resume": token, "payload": ...} → prints `resumed <token>`.
 * Steps print their own markers. The parent kills it with SIGKILL whenever it likes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { createLocalWorld } from "../../../world-local/src/index.js";
import { Runtime, registries, setRuntime } from "../../src/runtime.js";

const [appDir, dataDir] = process.argv.slice(2) as [string, string];
const app = JSON.parse(await readFile(join(appDir, "app.json"), "utf8")) as { bundle: string; modules: string[] };
for (const module of app.modules) await import(pathToFileURL(module).href);

const runtime = await Runtime.create({
  world: createLocalWorld({ dir: dataDir }),
  secret: "crash-test-secret-0123456789abcdef0123456789",
  bundle: { code: await readFile(app.bundle, "utf8") },
  steps: registries().steps,
  retry: { baseDelayMs: 20 },
});
setRuntime(runtime);
console.log("ready");

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { start?: string; args?: unknown[]; resume?: string; payload?: unknown };
  if (command.start) console.log(`started ${(await runtime.start(command.start, command.args ?? [])).runId}`);
  if (command.resume) {
    await runtime.resumeHook(command.resume, command.payload);
    console.log(`resumed ${command.resume}`);
  }
}
