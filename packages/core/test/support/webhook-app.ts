/**
 * A runtime with one webhook workflow behind a real HTTP server. The workflow hands its
 * webhook URL to a step (as it would to a payment provider); the test reads it from there.
 */
import { afterEach } from "vitest";
import type { Runtime } from "../../src/runtime.js";
import type { TestRuntimeOptions } from "./app.js";
import { compileApp } from "./app.js";
import { serveWebhooks, type WebhookServer } from "./http-server.js";
import { runtimeFor } from "./runtimes.js";
import { waitFor } from "./wait.js";

const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const urls = new Map<string, string>();
(globalThis as Record<string, unknown>).__webhookUrls = urls;

export interface WebhookApp {
  runtime: Runtime;
  server: WebhookServer;
  /** Starts the workflow with `args` and returns its run id and its webhook's token, once the step has handed out the URL. */
  start(args?: unknown[]): Promise<{ runId: string; token: string; url: string }>;
}

/**
 * `body` is the workflow's body after `const webhook = createWebhook(<options>)` and the step
 * that announces `webhook.url`; `steps` are extra module-level step functions.
 */
export async function webhookApp(
  options: string,
  body: string,
  steps = "",
  runtimeOptions: TestRuntimeOptions = {},
): Promise<WebhookApp> {
  const app = await compileApp({
    "workflows/hooked.ts": `
      import { createWebhook, createHook, sleep, FatalError, HookTimeoutError } from "hookline";
      export async function hooked(...args: unknown[]) {
        "use workflow";
        const webhook = createWebhook(${options});
        await announce(webhook.url);
        ${body}
      }
      async function announce(url: string) {
        "use step";
        const { runId } = (await import("hookline")).getStepMetadata();
        (globalThis as any).__webhookUrls.set(runId, url);
      }
      ${steps}
    `,
  });
  const runtime = await runtimeFor(app, runtimeOptions);
  const server = await serveWebhooks(runtime);
  servers.push(server);
  return {
    runtime,
    server,
    async start(args = []) {
      const run = await runtime.start("workflow//workflows/hooked.ts//hooked", args);
      const announced = await waitFor("the webhook URL", () => urls.get(run.runId));
      const token = announced.slice(announced.lastIndexOf("/") + 1);
      return { runId: run.runId, token, url: server.url(token) };
    },
  };
}

/** The event types of a run, in order. */
export async function eventTypes(runtime: Runtime, runId: string): Promise<string[]> {
  return (await runtime.world.readEvents(runId)).map((e) => e.type);
}
