/** Drives a child-runtime.ts process: send commands, wait for lines it prints, kill it. */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalWorld } from "../../../world-local/src/index.js";
import type { World } from "../../src/world/world.js";
import type { CompiledApp } from "./app.js";

const CHILD = fileURLToPath(new URL("./child-runtime.ts", import.meta.url));

/** Writes what a child process needs to load the app: the bundle file and the list of step modules. */
export async function prepareForChild(app: CompiledApp): Promise<void> {
  await writeFile(app.bundle.filename, app.bundle.code);
  const modules = Object.keys(app.modules).map((path) => join(app.root, ".steps", path));
  await writeFile(join(app.root, "app.json"), JSON.stringify({ bundle: app.bundle.filename, modules }));
}

/**
 * The world a child runs on: the local world in a data dir, or a PostgreSQL schema; `leaseMs`
 * shortens the leases (queue messages and concurrency slots) that a killed process leaves behind.
 */
export type ChildWorld =
  | { dir: string; leaseMs?: number }
  | { postgres: { connectionString: string; schema: string; leaseMs?: number } };

export class ChildRuntime {
  readonly lines: string[] = [];
  readonly #process: ChildProcess;
  #waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  /** `world`: a data dir for the local world, or a ChildWorld; `env`: added to the child's environment. */
  constructor(app: CompiledApp, world: string | ChildWorld, env: Record<string, string> = {}) {
    const spec: ChildWorld = typeof world === "string" ? { dir: world } : world;
    this.#process = spawn(
      process.execPath,
      ["--conditions=hookline-source", "--import", "tsx", CHILD, app.root, JSON.stringify(spec)],
      {
        stdio: ["pipe", "pipe", "inherit"],
        env: { ...process.env, ...env },
      },
    );
    let buffer = "";
    this.#process.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => this.#process.on("exit", (code) => resolve(code)));
  }

  send(command: Record<string, unknown>): void {
    this.#process.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** The first printed line matching `pattern`, waiting for it. */
  async waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline)
        throw new Error(`child never printed ${pattern}; it printed:\n${this.lines.join("\n")}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Closes the child's runtime (finishing what it is running) and waits for it to exit; kills it after `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.send({ close: true });
    const timer = setTimeout(() => this.#process.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    this.#process.kill("SIGKILL");
    await this.exited;
  }
}

/** A world of this process over `spec` (not started). */
export async function openWorld(spec: ChildWorld): Promise<World> {
  if ("dir" in spec)
    return createLocalWorld({ dir: spec.dir, ...(spec.leaseMs === undefined ? {} : { slotLeaseMs: spec.leaseMs }) });
  // Through its source, as app.ts reaches it: core cannot depend on the world packages.
  const { createPostgresWorld } = await import("../../../world-postgres/src/index.js");
  return createPostgresWorld(spec.postgres);
}
