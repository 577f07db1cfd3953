/** Every answer of /.well-known/workflow/v1/webhook/:token (DESIGN §2), over real HTTP. */
import { createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { describe, expect, test } from "vitest";
import { getRun } from "../src/api.js";
import { deserialize } from "../src/shared/serialization/index.js";
import { waitFor } from "./support/wait.js";
import { eventTypes, webhookApp } from "./support/webhook-app.js";

const post = (url: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("the webhook endpoint", () => {
  test("respondWith unset: 202, and the workflow reads the request's method, url, headers and body", async () => {
    const app = await webhookApp(
      "",
      `const request = await webhook;
       return { method: request.method, path: new URL(request.url).pathname.startsWith("/.well-known/workflow/v1/webhook/"), kind: request.headers.get("x-kind"), body: await request.json() };`,
    );
    const { runId, url } = await app.start();
    const response = await post(url, { paid: 12 }, { "x-kind": "payment" });
    expect(response.status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toEqual({
      method: "POST",
      path: true,
      kind: "payment",
      body: { paid: 12 },
    });
  });

  test("a static Response is the answer to every request", async () => {
    const app = await webhookApp(
      `{ respondWith: Response.json({ received: true }, { status: 200, headers: { "x-from": "workflow" } }) }`,
      `for await (const request of webhook) { if ((await request.json()).last) break; } return "done";`,
    );
    const { runId, url } = await app.start();
    for (const last of [false, true]) {
      const response = await post(url, { last });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-from")).toBe("workflow");
      expect(await response.json()).toEqual({ received: true });
    }
    await expect(getRun(runId).returnValue).resolves.toBe("done");
  });

  test('respondWith "manual": each caller waits for the step that answers it', async () => {
    const app = await webhookApp(
      `{ respondWith: "manual" }`,
      `const ledger: string[] = [];
       for await (const request of webhook) {
         const event = await record(request);
         ledger.push(event.type);
         if (event.type === "payment.succeeded") break;
       }
       return ledger;`,
      `async function record(request: any) {
         "use step";
         const event = await request.json();
         await request.respondWith(Response.json({ ok: true, seen: event.type }, { status: 201 }));
         return event;
       }`,
    );
    const { runId, url } = await app.start();
    for (const type of ["payment.pending", "payment.succeeded"]) {
      const response = await post(url, { type });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ ok: true, seen: type });
    }
    await expect(getRun(runId).returnValue).resolves.toEqual(["payment.pending", "payment.succeeded"]);
  });

  test("a manual answer not sent in time is a 504, and the request is still recorded", async () => {
    const app = await webhookApp(
      `{ respondWith: "manual", responseTimeout: "150ms" }`,
      `const request = await webhook; await slowAnswer(request); return (await request.json()).n;`,
      `async function slowAnswer(request: any) { "use step"; await new Promise((r) => setTimeout(r, 400)); await request.respondWith(new Response("late")); }`,
    );
    const { runId, url } = await app.start();
    const response = await post(url, { n: 7 });
    expect(response.status).toBe(504);
    await expect(getRun(runId).returnValue).resolves.toBe(7);
    expect(await eventTypes(app.runtime, runId)).toContain("webhook_responded");
  });

  test("unknown tokens and createHook tokens are 404: only webhooks are public", async () => {
    const app = await webhookApp("", `await createHook({ token: "private-hook" }); return 1;`);
    await app.start();
    expect((await post(app.server.url("no-such-token"))).status).toBe(404);
    expect((await post(app.server.url("private-hook"))).status).toBe(404);
  });

  test("methods: others get 405 with Allow; GET is refused by default so link unfurlers cannot consume a webhook", async () => {
    const defaults = await webhookApp("", `return (await webhook).method;`);
    const first = await defaults.start();
    const get = await fetch(first.url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const custom = await webhookApp(`{ methods: ["PUT", "GET"] }`, `return (await webhook).method;`);
    const second = await custom.start();
    const post405 = await post(second.url);
    expect([post405.status, post405.headers.get("allow")]).toEqual([405, "PUT, GET"]);
    expect((await fetch(second.url, { method: "PUT", body: "x" })).status).toBe(202);
    await expect(getRun(second.runId).returnValue).resolves.toBe("PUT");
    expect(await eventTypes(defaults.runtime, first.runId)).not.toContain("hook_received");
  });

  test("a body over maxBodyBytes is 413 and nothing is recorded, with or without Content-Length", async () => {
    const app = await webhookApp(`{ maxBodyBytes: 1000 }`, `return (await (await webhook).text()).length;`);
    const { runId, url, token } = await app.start();
    expect((await fetch(url, { method: "POST", body: "x".repeat(1001) })).status).toBe(413);
    // Chunked, no Content-Length: counted while streaming.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) =>
        resolve(res.statusCode!),
      );
      req.on("error", reject);
      for (let i = 0; i < 5; i++) req.write("y".repeat(300));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await eventTypes(app.runtime, runId)).not.toContain("hook_received");
    expect((await fetch(app.server.url(token), { method: "POST", body: "z".repeat(1000) })).status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toBe(1000);
  });

  test("a client that stops sending its body gets 408 and nothing is recorded", async () => {
    const app = await webhookApp("", `return (await (await webhook).text());`, "", {
      webhooks: { bodyIdleTimeoutMs: 200 },
    });
    const { runId, url } = await app.start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: "POST", headers: { "content-length": "100" } }, (res) =>
        resolve(res.statusCode!),
      );
      req.on("error", reject);
      req.write("only part of it");
      // …and never the rest.
    });
    expect(status).toBe(408);
    expect(await eventTypes(app.runtime, runId)).not.toContain("hook_received");
  });

  test("the same delivery again gets the first delivery's answer and adds no event", async () => {
    const app = await webhookApp(
      `{ respondWith: "manual" }`,
      `const seen: number[] = [];
       for await (const request of webhook) { const { n } = await answer(request); seen.push(n); if (n === 2) break; }
       return seen;`,
      `async function answer(request: any) { "use step"; const body = await request.json(); await request.respondWith(Response.json({ answered: body.n })); return body; }`,
    );
    const { runId, url } = await app.start();
    const first = await post(url, { n: 1 }, { "webhook-id": "msg_1" });
    expect(await first.json()).toEqual({ answered: 1 });
    // The provider retries the same delivery (same webhook-id), even with another body.
    const again = await post(url, { n: 99 }, { "webhook-id": "msg_1" });
    expect([again.status, await again.json()]).toEqual([200, { answered: 1 }]);
    const idempotent = await post(url, { n: 2 }, { "idempotency-key": "k-2" });
    expect(await idempotent.json()).toEqual({ answered: 2 });
    await expect(getRun(runId).returnValue).resolves.toEqual([1, 2]);
    expect((await eventTypes(app.runtime, runId)).filter((t) => t === "hook_received")).toHaveLength(2);
  });

  test("concurrent duplicates of one delivery record one event", async () => {
    const app = await webhookApp(
      "",
      `await settle(); const all: unknown[] = []; for await (const r of webhook) { all.push(await r.json()); if (all.length === 2) break; } return all;`,
      `async function settle() { "use step"; await new Promise((r) => setTimeout(r, 300)); }`,
    );
    const { runId, url } = await app.start();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(url, { n: 1 }, { "webhook-id": "dup" })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    await post(url, { n: 2 }, { "webhook-id": "other" });
    await expect(getRun(runId).returnValue).resolves.toEqual([{ n: 1 }, { n: 2 }]);
    expect((await eventTypes(app.runtime, runId)).filter((t) => t === "hook_received")).toHaveLength(2);
  });

  test("a provider's retry of an accepted delivery after the wait ended gets the first answer; anything new gets 410", async () => {
    process.env.TEST_REPEAT_SECRET = "repeat-secret";
    const app = await webhookApp(
      `{ respondWith: "manual", verify: { scheme: "hmac", secretEnv: "TEST_REPEAT_SECRET", header: "x-signature" } }`,
      `const request = await webhook; return receipt(request);`,
      `async function receipt(request: any) { "use step"; const id = crypto.randomUUID(); await request.respondWith(Response.json({ receipt: id }, { status: 201 })); return id; }`,
    );
    try {
      const { runId, url, token } = await app.start();
      const body = JSON.stringify({ event: "signup.completed" });
      const signed = {
        "x-signature": createHmac("sha256", "repeat-secret").update(body).digest("hex"),
        "webhook-id": "msg_1",
      };
      const send = (headers: Record<string, string>) => fetch(url, { method: "POST", headers, body });
      const first = await send(signed);
      expect(first.status).toBe(201);
      const { receipt } = (await first.json()) as { receipt: string };
      await expect(getRun(runId).returnValue).resolves.toBe(receipt);

      const again = await send(signed);
      expect([again.status, await again.json()]).toEqual([201, { receipt }]);
      // Through the user's own route as well.
      const forwarded = await app.runtime.resumeWebhook(
        token,
        new Request("http://app.test/hooks", { method: "POST", headers: signed, body }),
      );
      expect([forwarded.status, await forwarded.json()]).toEqual([201, { receipt }]);
      // The signature is still checked first; another delivery, or one without an id, is refused.
      expect((await send({ ...signed, "x-signature": "00" })).status).toBe(401);
      expect((await send({ ...signed, "webhook-id": "msg_2" })).status).toBe(410);
      expect((await send({ "x-signature": signed["x-signature"] })).status).toBe(410);
      await expect(
        app.runtime.resumeWebhook(
          token,
          new Request("http://app.test/hooks", { method: "POST", headers: { ...signed, "webhook-id": "msg_2" }, body }),
        ),
      ).rejects.toMatchObject({ code: "HOOKLINE_HOOK_NOT_FOUND" });
      expect((await eventTypes(app.runtime, runId)).filter((t) => t === "hook_received")).toHaveLength(1);
    } finally {
      delete process.env.TEST_REPEAT_SECRET;
    }
  });

  test("a retry of a manual delivery its run ended without answering gets 504 at once", async () => {
    const app = await webhookApp(
      `{ respondWith: "manual", responseTimeout: "30s" }`,
      `await webhook; return "ignored it";`,
    );
    const { runId, url } = await app.start();
    // The first caller would wait its 30 s; it gives up once the run has ended.
    const gaveUp = new AbortController();
    const first = fetch(url, {
      method: "POST",
      headers: { "webhook-id": "msg_1" },
      body: "{}",
      signal: gaveUp.signal,
    }).catch(() => null);
    await expect(getRun(runId).returnValue).resolves.toBe("ignored it");
    gaveUp.abort();
    await first;
    const startedAt = Date.now();
    expect((await post(url, {}, { "webhook-id": "msg_1" })).status).toBe(504);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect((await eventTypes(app.runtime, runId)).filter((t) => t === "hook_received")).toHaveLength(1);
  });

  test("too many requests from one address: 429 with Retry-After; other addresses are unaffected", async () => {
    const app = await webhookApp("", `for await (const r of webhook) {} return 0;`, "", {
      webhooks: { rateLimit: { burst: 3, perSecond: 0.5 } },
    });
    const { url } = await app.start();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await post(url, { i }, { "x-test-client": "10.0.0.1" });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await post(url, {}, { "x-test-client": "10.0.0.2" })).status).toBe(202);
  });

  test("ended waits answer 410: disposed, timed out, completed, failed, cancelled", async () => {
    const disposed = await webhookApp(
      "",
      `webhook.dispose(); await pause(); return 1;`,
      `async function pause() { "use step"; await new Promise((r) => setTimeout(r, 300)); }`,
    );
    const d = await disposed.start();
    await waitFor("the dispose", async () => (await eventTypes(disposed.runtime, d.runId)).includes("hook_disposed"));
    expect((await post(d.url)).status).toBe(410);

    const timedOut = await webhookApp(
      `{ timeout: "100ms" }`,
      `try { await webhook; } catch (e) { return HookTimeoutError.is(e) ? "timed out" : "other"; } return "received";`,
    );
    const t = await timedOut.start();
    await expect(getRun(t.runId).returnValue).resolves.toBe("timed out");
    expect((await post(t.url)).status).toBe(410);

    const completed = await webhookApp("", `return "no wait";`);
    const c = await completed.start();
    await getRun(c.runId).returnValue;
    expect((await post(c.url)).status).toBe(410);

    const failed = await webhookApp("", `throw new FatalError("broken");`);
    const f = await failed.start();
    await expect(getRun(f.runId).returnValue).rejects.toThrow("broken");
    expect((await post(f.url)).status).toBe(410);

    // Long enough that the cancel comes first on a loaded machine (cancelling an ended run records nothing).
    const cancelled = await webhookApp(`{ timeout: "2s" }`, `await webhook; return 1;`);
    const x = await cancelled.start();
    await getRun(x.runId).cancel();
    expect((await post(x.url)).status).toBe(410);
    await new Promise((r) => setTimeout(r, 2_300));
    // Its timeout never fires after the cancellation.
    expect((await eventTypes(cancelled.runtime, x.runId)).at(-1)).toBe("run_cancelled");
  });

  test("a payload to a webhook is deserialized into the request the workflow and its steps read", async () => {
    const app = await webhookApp(
      "",
      `const request = await webhook; return inspect(request);`,
      `async function inspect(request: any) { "use step"; return { isRequest: request instanceof Request, text: await request.text(), type: request.headers.get("content-type") }; }`,
    );
    const { runId, url } = await app.start();
    await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    const value = await getRun(runId).returnValue;
    expect(value).toEqual({ isRequest: true, text: "hello", type: "text/plain" });
    const received = (await app.runtime.world.readEvents(runId)).find((e) => e.type === "hook_received")!;
    expect(deserialize((received.data as { payload: unknown }).payload)).toBeInstanceOf(Request);
  });
});

describe("webhook requests across copies of Hookline", () => {
  test("a request made by one loaded copy is recorded and read by another", async () => {
    // A Next.js server may load the package twice (next.config's copy and the routes'); vite's
    // ?query gives this test a second, separate instance of the module.
    const first = await import("../src/host/webhook-request.js");
    const copy = "../src/host/webhook-request.ts?copy";
    const second = (await import(/* @vite-ignore */ copy)) as typeof first;
    expect(second.WebhookRequest).not.toBe(first.WebhookRequest);
    const { serialize } = await import("../src/shared/serialization/index.js");
    const made = new second.WebhookRequest({
      method: "POST",
      url: "http://x.test/.well-known/workflow/v1/webhook/[token]",
      headers: [["content-type", "text/plain"]],
      body: new TextEncoder().encode("hi"),
      requestId: "r-1",
      manual: true,
    });
    const back = deserialize(JSON.parse(JSON.stringify(serialize({ made })))) as {
      made: InstanceType<typeof first.WebhookRequest>;
    };
    expect(back.made.requestId).toBe("r-1");
    expect(await back.made.text()).toBe("hi");
  });
});
