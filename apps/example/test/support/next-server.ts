/**
 * Runs the example app the way a person does: `next build`, `next start`, `next dev`, each in
 * its own process group (next dev forks its server), on a free port, with its own data folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));
const NEXT_BIN = join(APP_DIR, "node_modules", "next", "dist", "bin", "next");

export interface RunOptions {
  /** Next's distDir for this build/server (see next.config.ts), so builds do not collide. */
  distDir?: string;
  env?: Record<string, string>;
}

function run(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: APP_DIR,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      EXAMPLE_DIST_DIR: options.distDir ?? ".next",
      ...options.env,
    },
  });
}

export async function nextBuild(options: RunOptions & { webpack?: boolean } = {}): Promise<string> {
  const child = run(["build", ...(options.webpack ? ["--webpack"] : [])], options);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output}`);
  return output;
}

/** HOOKLINE_TEST_PORTS="3600-3699": servers and proxies take free ports from this range (a machine shared by several users). */
const PORT_RANGE = /^(\d+)-(\d+)$/.exec(process.env.HOOKLINE_TEST_PORTS ?? "");
let nextInRange = 0;

export async function freePort(): Promise<number> {
  if (!PORT_RANGE) return listenOnce(0);
  const [low, high] = [Number(PORT_RANGE[1]), Number(PORT_RANGE[2])];
  for (let tried = 0; tried <= high - low; tried++) {
    const port = low + (nextInRange++ % (high - low + 1));
    if (
      await listenOnce(port).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
  throw new Error(`No free port in HOOKLINE_TEST_PORTS ${low}-${high}.`);
}

/** Listens on `port` (0: any) on loopback and closes again; the port it got. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface NextServer {
  url: string;
  port: number;
  /** The server's process id (also its process group's: signal -pid to reach every process of it). */
  pid: number;
  dataDir: string;
  /** Resolves with the exit code when the server's process ends. */
  exited: Promise<number | null>;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves when the server prints a line matching `pattern` (after `from`, an output offset). */
  waitForOutput(pattern: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startNext(
  mode: "start" | "dev",
  options: RunOptions & {
    port?: number;
    dataDir?: string;
    /** Return at once, without waiting for the home page. */
    ready?: false;
    /** Where the home page is (the basePath, if any). */
    path?: string;
  } = {},
): Promise<NextServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "hookline-example-data-")));
  const child = run([mode, "--port", String(port), "--hostname", "127.0.0.1"], {
    ...options,
    env: { HOOKLINE_LOCAL_DIR: dataDir, EXAMPLE_UPLOADS_DIR: join(dataDir, "uploads"), ...options.env },
  });
  return serve(child, `next ${mode}`, port, dataDir, options);
}

/**
 * Runs the server.js of an `output: "standalone"` build as a container would: `node server.js`
 * with PORT and HOSTNAME, no next.config, no next CLI.
 */
export async function startStandalone(options: {
  distDir: string;
  env?: Record<string, string>;
  port?: number;
  dataDir?: string;
  ready?: false;
  path?: string;
}): Promise<NextServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "hookline-example-data-")));
  const serverDir = await standaloneDir(options.distDir);
  const child = spawn(process.execPath, [join(serverDir, "server.js")], {
    cwd: serverDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      HOOKLINE_LOCAL_DIR: dataDir,
      EXAMPLE_UPLOADS_DIR: join(dataDir, "uploads"),
      ...options.env,
    },
  });
  return serve(child, "the standalone server", port, dataDir, options);
}

/** The folder of a standalone build's server.js: the app's path below the tracing root, inside `<distDir>/standalone`. */
export async function standaloneDir(distDir: string): Promise<string> {
  const { relativeAppDir } = JSON.parse(
    await readFile(join(APP_DIR, distDir, "required-server-files.json"), "utf8"),
  ) as { relativeAppDir: string };
  return join(APP_DIR, distDir, "standalone", relativeAppDir);
}

async function serve(
  child: ChildProcess,
  name: string,
  port: number,
  dataDir: string,
  options: { ready?: false; path?: string },
): Promise<NextServer> {
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  const server: NextServer = {
    url,
    port,
    pid: child.pid!,
    dataDir,
    exited,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output.slice(from))) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `The server did not print ${pattern} within ${timeoutMs} ms. It printed:\n${output.slice(-4000)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(killer);
    },
  };

  if (options.ready === false) return server;
  // Ready when the home page renders (in dev that also compiles it).
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(url + (options.path ?? ""), { signal: AbortSignal.timeout(60_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return server;
}

/** Polls `fn` until it returns a value that is not undefined. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
