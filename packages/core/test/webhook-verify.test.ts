/**
 * Signature presets, with signatures computed the way each provider documents them. A request
 * that fails its check is answered 401 and the run never sees it.
 */
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getRun } from "../src/api.js";
import { eventTypes, webhookApp } from "./support/webhook-app.js";

const whsec = `whsec_${randomBytes(24).toString("base64")}`;
const stripeSecret = `whsec_${randomBytes(16).toString("hex")}`;
const githubSecret = "It's a Secret to Everybody";
const hmacSecret = "generic-secret";

beforeAll(() => {
  Object.assign(process.env, {
    TEST_SW_SECRET: whsec,
    TEST_STRIPE_SECRET: stripeSecret,
    TEST_GH_SECRET: githubSecret,
    TEST_HMAC_SECRET: hmacSecret,
  });
});
afterAll(() => {
  for (const name of ["TEST_SW_SECRET", "TEST_STRIPE_SECRET", "TEST_GH_SECRET", "TEST_HMAC_SECRET"])
    delete process.env[name];
});

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: "invoice.paid", amount: 4200 });

/** https://www.standardwebhooks.com/ — base64(HMAC-SHA256(base64decode(secret without whsec_), "id.timestamp.body")). */
function standardWebhooksHeaders(id: string, timestamp: number, payload: string, secret = whsec) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${payload}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

/** https://docs.stripe.com/webhooks — Stripe-Signature: t=<ts>,v1=hex(HMAC-SHA256(secret, "t.body")). */
function stripeHeader(timestamp: number, payload: string, secret = stripeSecret) {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return { "stripe-signature": `t=${timestamp},v1=${signature}` };
}

/** https://docs.github.com/webhooks — X-Hub-Signature-256: sha256=hex(HMAC-SHA256(secret, body)). */
function githubHeader(payload: string, secret = githubSecret) {
  return { "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}` };
}

async function verifiedApp(verify: string) {
  return webhookApp(
    `{ verify: ${verify} }`,
    `for await (const r of webhook) { const b = await r.json(); if (b.last) return b; }`,
  );
}

async function deliveries(app: Awaited<ReturnType<typeof verifiedApp>>, runId: string) {
  return (await eventTypes(app.runtime, runId)).filter((t) => t === "hook_received").length;
}

describe("verify presets", () => {
  test("GitHub's documented example signature verifies", async () => {
    // The example from GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!".
    expect(githubHeader("Hello, World!")["x-hub-signature-256"]).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });

  test("Standard Webhooks: valid passes; a bad signature, a stale timestamp or missing headers are 401", async () => {
    const app = await verifiedApp(`{ scheme: "standard-webhooks", secretEnv: "TEST_SW_SECRET" }`);
    const { runId, url } = await app.start();
    const send = (headers: Record<string, string>, payload = body) =>
      fetch(url, { method: "POST", headers, body: payload });
    expect(
      (await send(standardWebhooksHeaders("msg_1", now(), body, `whsec_${randomBytes(24).toString("base64")}`))).status,
    ).toBe(401);
    expect((await send(standardWebhooksHeaders("msg_2", now() - 3600, body))).status).toBe(401);
    expect((await send({ "webhook-id": "msg_3" })).status).toBe(401);
    const tampered = standardWebhooksHeaders("msg_4", now(), body);
    expect((await send(tampered, body.replace("4200", "1"))).status).toBe(401);
    expect(await deliveries(app, runId)).toBe(0);
    const last = JSON.stringify({ last: true });
    expect((await send(standardWebhooksHeaders("msg_5", now(), last), last)).status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toEqual({ last: true });
  });

  test("Stripe: valid passes; wrong secret, replayed timestamp, missing header are 401", async () => {
    const app = await verifiedApp(`{ scheme: "stripe", secretEnv: "TEST_STRIPE_SECRET", toleranceSeconds: 60 }`);
    const { runId, url } = await app.start();
    const send = (headers: Record<string, string>, payload = body) =>
      fetch(url, { method: "POST", headers, body: payload });
    expect((await send(stripeHeader(now(), body, "whsec_wrong"))).status).toBe(401);
    expect((await send(stripeHeader(now() - 120, body))).status).toBe(401);
    expect((await send({})).status).toBe(401);
    expect(await deliveries(app, runId)).toBe(0);
    const last = JSON.stringify({ last: true });
    expect((await send(stripeHeader(now(), last), last)).status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toEqual({ last: true });
  });

  test("GitHub: valid passes; a wrong or missing X-Hub-Signature-256 is 401", async () => {
    const app = await verifiedApp(`{ scheme: "github", secretEnv: "TEST_GH_SECRET" }`);
    const { runId, url } = await app.start();
    expect((await fetch(url, { method: "POST", headers: githubHeader(body, "nope"), body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    const last = JSON.stringify({ last: true });
    expect((await fetch(url, { method: "POST", headers: githubHeader(last), body: last })).status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toEqual({ last: true });
    expect(await deliveries(app, runId)).toBe(1);
  });

  test("generic HMAC with a chosen header, algorithm, encoding and prefix", async () => {
    const app = await verifiedApp(
      `{ scheme: "hmac", secretEnv: "TEST_HMAC_SECRET", header: "x-signature", algorithm: "sha512", encoding: "base64", prefix: "sig=" }`,
    );
    const { runId, url } = await app.start();
    const sign = (payload: string) => `sig=${createHmac("sha512", hmacSecret).update(payload).digest("base64")}`;
    expect((await fetch(url, { method: "POST", headers: { "x-signature": sign(body).slice(4) }, body })).status).toBe(
      401,
    );
    expect((await fetch(url, { method: "POST", headers: { "x-signature": sign("other") }, body })).status).toBe(401);
    const last = JSON.stringify({ last: true });
    expect((await fetch(url, { method: "POST", headers: { "x-signature": sign(last) }, body: last })).status).toBe(202);
    await expect(getRun(runId).returnValue).resolves.toEqual({ last: true });
  });

  test("a secret missing from the environment fails closed (401) and is reported", async () => {
    const reported: string[] = [];
    const app = await webhookApp(
      `{ verify: { scheme: "github", secretEnv: "TEST_NOT_SET" } }`,
      `await webhook; return 1;`,
      "",
      { onError: (error) => reported.push((error as Error).message) },
    );
    const { runId, url } = await app.start();
    expect((await fetch(url, { method: "POST", headers: githubHeader(body), body })).status).toBe(401);
    expect(reported.some((m) => m.includes("TEST_NOT_SET"))).toBe(true);
    expect(await deliveries(app, runId)).toBe(0);
  });

  test("a malformed verify option fails the workflow where it is declared, naming the option", async () => {
    const app = await webhookApp(
      `{ verify: { scheme: "stripe", secretEnv: "whsec_pasted-secret!" } as any }`,
      `return 1;`,
    );
    const run = await app.runtime.start("workflow//workflows/hooked.ts//hooked", []);
    await expect(run.returnValue).rejects.toThrow(/verify\.secretEnv must name an environment variable/);
  });
});
