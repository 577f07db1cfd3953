/**
 * The workflows every runtime benchmark runs, compiled once per process (and written out so a
 * child process can load them too). Steps report to globals the benchmark reads.
 */
import { type CompiledApp, compileApp } from "../test/support/app.js";
import { prepareForChild } from "../test/support/child-process.js";

/** When each `noop` step body started (performance.now()), in order. */
export const stepStarts: number[] = [];
/** Webhook URLs handed out by `waitForWebhook`, by the key it was started with. */
export const webhookUrls = new Map<string, string>();
Object.assign(globalThis, { __benchStarts: stepStarts, __benchWebhooks: webhookUrls });

const file = "workflow//workflows/bench.ts//";
export const WORKFLOWS = {
  /** `n` no-op steps, one after another; returns n. */
  sequential: `${file}sequential`,
  /** Waits for a hook with the given token; returns its payload. */
  waitForHook: `${file}waitForHook`,
  /** `n` no-op steps, then waits for a hook. */
  longThenHook: `${file}longThenHook`,
  /** Creates a webhook, hands its URL out under `key`, returns the delivered request's method. */
  waitForWebhook: `${file}waitForWebhook`,
  /** Ten steps, each returning the pid of the process that ran it. */
  tenSteps: `${file}tenSteps`,
  /** A `for await` webhook (URL handed out under `key`) taking `n` requests; returns how many came. */
  inbox: `${file}inbox`,
  /** Starts waitForHook(token) as a child run and returns what the child returns. */
  parentOfWaiting: `${file}parentOfWaiting`,
} as const;

export async function buildBenchApp(): Promise<CompiledApp> {
  const app = await compileApp({
    "workflows/bench.ts": `
      import { createHook, createWebhook } from "hookline";
      import { start } from "hookline/api";
      export async function sequential(n: number) {
        "use workflow";
        for (let i = 0; i < n; i++) await noop();
        return n;
      }
      export async function waitForHook(token: string) {
        "use workflow";
        return await createHook<number>({ token });
      }
      export async function longThenHook(n: number, token: string) {
        "use workflow";
        for (let i = 0; i < n; i++) await noop();
        return await createHook<number>({ token });
      }
      export async function waitForWebhook(key: string) {
        "use workflow";
        const webhook = createWebhook();
        await announce(key, webhook.url);
        const request = await webhook;
        return request.method;
      }
      export async function inbox(key: string, n: number) {
        "use workflow";
        const webhook = createWebhook();
        await announce(key, webhook.url);
        let received = 0;
        for await (const _request of webhook) if (++received === n) return received;
      }
      export async function parentOfWaiting(token: string) {
        "use workflow";
        const child = await start(waitForHook, [token]);
        return await child.returnValue;
      }
      export async function tenSteps() {
        "use workflow";
        const pids: number[] = [];
        for (let i = 0; i < 10; i++) pids.push(await whereAmI());
        return pids;
      }
      async function noop() { "use step"; (globalThis as any).__benchStarts?.push(performance.now()); }
      async function announce(key: string, url: string) { "use step"; (globalThis as any).__benchWebhooks?.set(key, url); }
      async function whereAmI() { "use step"; return process.pid; }
    `,
  });
  await prepareForChild(app);
  return app;
}
