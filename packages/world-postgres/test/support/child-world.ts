/**
 * A world in a child process, to be killed with SIGKILL by a test. Run by spawnChildWorld();
 * prints one JSON line per thing it did, so the test knows what was acknowledged before the kill.
 *
 *   mode "hang":   consumes the queue with handlers that never finish  → {"claimed":runId,"attempt":n}
 *   mode "append": appends step events to one run as fast as it can  → {"appended":seq}
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface ChildWorldOptions {
  url: string;
  schema: string;
  mode: "hang" | "append";
  leaseMs?: number;
  runId?: string;
  /** The child's connections' application_name, so a test can see when the server has let go of them. */
  applicationName?: string;
}

export interface ChildWorld {
  /** Resolves with the first line matching `test`. */
  waitFor(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  lines: Array<Record<string, unknown>>;
  kill(): Promise<void>;
}

export function spawnChildWorld(options: ChildWorldOptions): ChildWorld {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ["--conditions=hookline-source", "--import", "tsx", script, JSON.stringify(options)],
    {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (text) => {
    try {
      lines.push(JSON.parse(text));
    } catch {
      return;
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    lines,
    waitFor(test, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the child world printed no matching line in ${timeoutMs} ms (got ${lines.length} lines)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

async function main(options: ChildWorldOptions): Promise<void> {
  const { createPostgresWorld } = await import("../../src/index.js");
  const world = createPostgresWorld({
    connectionString: options.url,
    schema: options.schema,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.applicationName === undefined ? {} : { pool: { application_name: options.applicationName } }),
    onError: () => {},
  });
  await world.start();
  const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  say({ started: true });
  if (options.mode === "hang") {
    world.queue.consume(async (message, delivery) => {
      say({ claimed: message.runId, attempt: delivery.attempt });
      await new Promise(() => {});
    });
    return;
  }
  const runId = options.runId!;
  let seq = (await world.getRun(runId))?.lastSeq ?? 0;
  for (;;) {
    const stored = await world.append(
      runId,
      { type: "step_completed", corr: `o${seq}`, at: Date.now(), data: { stepId: "s//child", result: seq } },
      { expectedSeq: seq, wake: { delayMs: 60_000 } },
    );
    seq = stored.seq;
    say({ appended: seq });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2]!)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
