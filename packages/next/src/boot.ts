/**
 * At server start (`next start`, `next dev`), withWorkflow asks the flow route once to load the
 * app's code and start the runtime, so runs that were sleeping, retrying or mid-step when the
 * server stopped continue on their own, without waiting for a request. A runtime that cannot
 * start because of its configuration (world URL, permissions, secret) fails the start loudly.
 * A standalone server.js does the same from the app's instrumentation (see standalone.ts).
 *
 * Under `next dev` the start waits for the first page or route the developer opens to be
 * answered (or for a few quiet seconds), so compiling Hookline's routes never competes with that
 * first request for the CPU.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { ConfigError } from "@hookline/core";
import { ROUTE_PREFIX } from "./routes.js";
import { callInternal, type Integration, InternalCallError } from "./server.js";

const BOOTED = Symbol.for("hookline.next.booted");

export interface BootOptions {
  /** Give up after this long (the server may take a while to compile the route in `next dev`). */
  deadlineMs?: number;
  /** Exit the process on a configuration error (`next start`); `next dev` keeps serving and says so. */
  exitOnConfigError?: boolean;
  log?: (message: string) => void;
  /** Start only once this settles (see afterFirstRequest). */
  after?: Promise<void>;
}

/** Whether bootOnce ran in this process. */
export function hasBooted(): boolean {
  return (globalThis as Record<symbol, unknown>)[BOOTED] === true;
}

/** Starts the runtime in this server process, once, in the background. */
export function bootOnce(integration: Integration, options: BootOptions = {}): void {
  const slot = globalThis as Record<symbol, unknown>;
  if (slot[BOOTED]) return;
  slot[BOOTED] = true;
  void boot(integration, options);
}

async function boot(
  integration: Integration,
  { deadlineMs = 180_000, exitOnConfigError = false, log = console.log, after }: BootOptions,
): Promise<void> {
  await after;
  const deadline = Date.now() + deadlineMs;
  let delay = 200;
  let lastError: unknown;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      const answer = (await callInternal(integration, "flow", { reason: "boot" })) as {
        workflows?: string[];
        steps?: number;
      } | null;
      log(`[hookline] runtime started: ${answer?.workflows?.length ?? 0} workflows, ${answer?.steps ?? 0} steps`);
      return;
    } catch (error) {
      const reason = configErrorReason(error);
      if (reason !== null) {
        console.error(`[hookline] cannot start: ${reason}`);
        if (exitOnConfigError) {
          console.error("[hookline] stopping the server: fix the configuration above and start it again.");
          process.exit(1);
        }
        return;
      }
      lastError = error;
      delay = Math.min(delay * 2, 5_000);
    }
  }
  console.warn(
    "[hookline] could not start the runtime at server start; it starts with the first run instead.",
    lastError,
  );
}

/**
 * Settles when the first request to the app (not to Hookline's own routes) has been answered,
 * or once the server has been quiet for `quietMs`: no such request in flight and the process
 * (Next's compiler included) nearly idle. A request that began before this was called is not
 * seen, but compiling it keeps the process busy.
 */
export function afterFirstRequest(quietMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sampleMs = Math.min(250, quietMs / 2);
    let inFlight = 0;
    let quietFor = 0;
    let cpu = process.cpuUsage();
    const sampler = setInterval(() => {
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const busy = (used.user + used.system) / 1000 > sampleMs * BUSY_SHARE;
      quietFor = busy || inFlight > 0 ? 0 : quietFor + sampleMs;
      if (quietFor >= quietMs) done();
    }, sampleMs);
    sampler.unref();
    const done = () => {
      clearInterval(sampler);
      // Not while the channel is publishing: Node 20 would skip the subscriber after this one.
      setImmediate(() => {
        unsubscribe("http.server.request.start", onStart);
        unsubscribe("http.server.response.finish", onFinish);
      });
      resolve();
    };
    const ours = (message: unknown) =>
      ((message as { request: IncomingMessage }).request.url ?? "").includes(ROUTE_PREFIX);
    const onStart = (message: unknown) => {
      if (!ours(message)) inFlight += 1;
    };
    const onFinish = (message: unknown) => {
      if (!ours(message)) done();
    };
    subscribe("http.server.request.start", onStart);
    subscribe("http.server.response.finish", onFinish);
  });
}

/** A process using less than this share of one core is idle (Next compiling a page uses one or more). */
const BUSY_SHARE = 0.3;

/** The reason, when the runtime (in the flow route) or the deployment secret (read here) failed on configuration. */
function configErrorReason(error: unknown): string | null {
  if (error instanceof InternalCallError) return error.configError ? error.reason : null;
  return ConfigError.is(error) ? (error as Error).message : null;
}
