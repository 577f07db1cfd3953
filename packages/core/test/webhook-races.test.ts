/** Races decided by the log, and the order in which a wait becomes reachable. */
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { getRun } from "../src/api.js";
import { hashToken } from "../src/host/tokens.js";
import { deserialize } from "../src/shared/serialization/index.js";
import { compileApp } from "./support/app.js";
import { serveWebhooks } from "./support/http-server.js";
import { closeRuntime, runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";
import { webhookApp } from "./support/webhook-app.js";

describe("webhook races", () => {
  test("100 concurrent POSTs at the moment of the timeout: one outcome, every request answered, none dropped", async () => {
    const app = await webhookApp(
      `{ timeout: "600ms" }`,
      `try { const request = await webhook; return { got: (await request.json()).i }; }
       catch (e) { return HookTimeoutError.is(e) ? "timed out" : "other: " + (e as Error).message; }`,
    );
    const { runId, url, token } = await app.start();
    const hook = (await app.runtime.world.getHook(hashToken(token)))!;
    await new Promise((r) => setTimeout(r, Math.max(0, hook.expiresAt! - Date.now() - 5)));
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(url, { method: "POST", body: JSON.stringify({ i }) }).then((r) => r.status),
      ),
    );
    const outcome = await getRun(runId).returnValue;
    const events = await app.runtime.world.readEvents(runId);
    const received = events.filter((e) => e.type === "hook_received");
    const timedOut = events.find((e) => e.type === "hook_timed_out");

    expect(statuses.every((s) => s === 202 || s === 410)).toBe(true);
    // Every 202 is an event in the log, and nothing else is.
    expect(received).toHaveLength(statuses.filter((s) => s === 202).length);
    if (timedOut) for (const event of received) expect(event.seq).toBeLessThan(timedOut.seq);
    if (received.length > 0) {
      const first = deserialize((received[0]!.data as { payload: unknown }).payload) as Request;
      expect(outcome).toEqual({ got: ((await first.json()) as { i: number }).i });
    } else {
      expect(outcome).toBe("timed out");
    }
  });

  test("a callback the instant the step hands out the URL is never too early", async () => {
    // The step that hands the URL out calls it itself, from inside the step.
    const compiled = await compileApp({
      "workflows/eager.ts": `
        import { createWebhook } from "hookline";
        export async function eager() {
          "use workflow";
          const webhook = createWebhook();
          const status = await callBackNow(webhook.url);
          const request = await webhook;
          return { status, from: (await request.json()).from };
        }
        async function callBackNow(url: string) {
          "use step";
          const local = (globalThis as any).__eagerServer(url.slice(url.lastIndexOf("/") + 1));
          return (await fetch(local, { method: "POST", body: JSON.stringify({ from: "vendor" }) })).status;
        }
      `,
    });
    const runtime = await runtimeFor(compiled);
    const server = await serveWebhooks(runtime);
    (globalThis as Record<string, unknown>).__eagerServer = server.url;
    try {
      const run = await runtime.start("workflow//workflows/eager.ts//eager", []);
      await expect(run.returnValue).resolves.toEqual({ status: 202, from: "vendor" });
    } finally {
      await server.close();
    }
  });
});

describe("webhook tokens", () => {
  test("256 bits, unique per webhook, not derived from the run id, and stored nowhere, not even where the user put it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hookline-tokens-"));
    const app = await webhookApp(
      `{ timeout: "1h" }`,
      // Booleans only: returning the URL would record it, as any value the workflow returns.
      `const request = await webhook; const path = webhook.url.slice(webhook.url.indexOf("/.well-known/"));
       return { real: request.url.endsWith(path + "?source=vendor"), redacted: request.url.includes("[token]") };`,
      "",
      { world: createLocalWorld({ dir }) },
    );
    const a = await app.start();
    const b = await app.start();
    for (const { token, runId } of [a, b]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      expect(token).not.toContain(runId.slice(5));
    }
    expect(a.token).not.toBe(b.token);
    expect((await fetch(`${a.url}?source=vendor`, { method: "POST", body: "{}" })).status).toBe(202);
    // The workflow sees the real URL, rebuilt from the secret; the log holds it redacted.
    await expect(getRun(a.runId).returnValue).resolves.toEqual({ real: true, redacted: false });

    const files: string[] = [];
    const walk = async (path: string) => {
      for (const entry of await readdir(path)) {
        const full = join(path, entry);
        if ((await stat(full)).isDirectory()) await walk(full);
        else files.push(full);
      }
    };
    await walk(dir);
    const records = await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, "utf8") })));
    expect(records.some((r) => r.text.includes(hashToken(a.token)))).toBe(true);
    expect(records.some((r) => r.text.includes('"hook_received"'))).toBe(true);
    for (const token of [a.token, b.token]) {
      expect(records.filter((r) => r.text.includes(token)).map((r) => r.file)).toEqual([]);
    }
    // The URL the workflow hands to a step is recorded with a marker naming the hook (value-tokens.ts).
    const isStepData = (text: string) => /"type":\s*"step_(started|completed)"/.test(text);
    expect(records.some((r) => isStepData(r.text) && r.text.includes(`[token:${a.runId}/o1/`))).toBe(true);
  });

  test("with trailingSlash (as Next.js's option), webhook URLs end with a slash, fixed for the run", async () => {
    const source = {
      "workflows/slash.ts": `
        import { createWebhook } from "hookline";
        export async function slash() { "use workflow"; return createWebhook().url; }
      `,
    };
    const withSlash = await runtimeFor(source, { trailingSlash: true });
    const url = (await (await withSlash.start("workflow//workflows/slash.ts//slash", [])).returnValue) as string;
    expect(url).toMatch(/\/\.well-known\/workflow\/v1\/webhook\/[A-Za-z0-9_-]{43}\/$/);
    const without = await runtimeFor(source);
    expect(await (await without.start("workflow//workflows/slash.ts//slash", [])).returnValue).toMatch(
      /[A-Za-z0-9_-]{43}$/,
    );
  });

  test("rotating the secret keeps outstanding URLs until the old secret is removed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hookline-rotate-"));
    const [oldSecret, newSecret] = [
      "old-secret-0123456789abcdef0123456789abcdef",
      "new-secret-0123456789abcdef0123456789abcdef",
    ];
    const source = {
      "workflows/rotate.ts": `
        import { createWebhook } from "hookline";
        export async function rotate() { "use workflow"; const webhook = createWebhook(); await announce(webhook.url); const all: unknown[] = []; for await (const r of webhook) { all.push(await r.json()); if (all.length === 2) return all; } }
        async function announce(url: string) { "use step"; (globalThis as any).__rotateUrl = url; }
      `,
    };
    const compiled = await compileApp(source);
    const first = await runtimeFor(compiled, { world: createLocalWorld({ dir }), secret: oldSecret });
    const run = await first.start("workflow//workflows/rotate.ts//rotate", []);
    const url = await waitFor("the URL", () => (globalThis as unknown as Record<string, string>).__rotateUrl);
    const token = url.slice(url.lastIndexOf("/") + 1);
    await closeRuntime(first);

    const rotated = await runtimeFor(compiled, { world: createLocalWorld({ dir }), secret: [newSecret, oldSecret] });
    const post = (runtime: typeof rotated, n: number) =>
      runtime.handleWebhook(token, new Request(url, { method: "POST", body: JSON.stringify({ n }) }));
    expect((await post(rotated, 1)).status).toBe(202);
    await waitFor("the first delivery", async () =>
      (await rotated.world.readEvents(run.runId)).some((e) => e.type === "hook_received"),
    );
    await closeRuntime(rotated);

    const revoked = await runtimeFor(compiled, { world: createLocalWorld({ dir }), secret: [newSecret] });
    expect((await post(revoked, 2)).status).toBe(410);
  });
});
