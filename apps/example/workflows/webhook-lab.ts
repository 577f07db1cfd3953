/**
 * Webhooks under attack and under load: the workflows the hardening tests and the throughput
 * benchmark drive (test/webhook-hardening.test.ts, bench/throughput.ts). Only labCarried hands its
 * URL to a step: the tests rebuild tokens from the deployment secret, as replay does, so for the
 * others the only way a raw token could reach storage is through the requests they send.
 */
import { createWebhook, type RequestWithResponse } from "hookline";
import { start } from "hookline/api";

/** Counts deliveries until the wait times out: the shape of a provider's event feed. */
export async function labInbox() {
  "use workflow";
  const webhook = createWebhook({ timeout: "1h" });
  let received = 0;
  for await (const _request of webhook) received++;
  return { received };
}

/** Each delivery answered inline by a step that takes `delayMs`: the body's `n`, echoed. */
export async function labManual(delayMs: number) {
  "use workflow";
  const webhook = createWebhook({ respondWith: "manual", responseTimeout: "20s", timeout: "1h" });
  for await (const request of webhook) await answerAfter(request, delayMs);
}

async function answerAfter(request: RequestWithResponse, delayMs: number) {
  "use step";
  const { n } = (await request.json()) as { n: number };
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await request.respondWith(Response.json({ answered: n }));
}

/** What the workflow and a step see of one request: its URL and headers, with the token shown as <T>. */
export async function labRevealed() {
  "use workflow";
  const webhook = createWebhook({ timeout: "1h" });
  const request = await webhook;
  const hide = (text: string | null) => (text ?? "").split(webhook.token).join("<T>");
  const inWorkflow = {
    url: hide(request.url),
    referer: hide(request.headers.get("referer")),
    originalUrl: hide(request.headers.get("x-original-url")),
    forwardedUri: hide(request.headers.get("x-forwarded-uri")),
  };
  return { inWorkflow, inStep: await seenInStep(request) };
}

async function seenInStep(request: Request) {
  "use step";
  // The step finds the token in the URL it was handed: real only if it was rebuilt.
  const token = new URL(request.url).pathname.split("/").pop() ?? "";
  const hide = (text: string | null) => (text ?? "").split(token).join("<T>");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return {
    tokenHash: Buffer.from(digest).toString("hex"),
    url: hide(request.url),
    referer: hide(request.headers.get("referer")),
    originalUrl: hide(request.headers.get("x-original-url")),
  };
}

/**
 * Its webhook's URL handed around as a value: to a step, back from it, to a child run and its
 * step, and returned. Each holder compares what it got with the URL itself, so a token left
 * redacted anywhere code reads it shows up as `false`.
 */
export async function labCarried() {
  "use workflow";
  const webhook = createWebhook({ timeout: "1h" });
  const fromStep = await carryUrl(webhook.url);
  const child = await start(labCarriedChild, [webhook.url]);
  const fromChild = await child.returnValue;
  return {
    url: webhook.url,
    stepGotIt: fromStep.url === webhook.url,
    stepTokenHash: fromStep.tokenHash,
    childGotIt: fromChild === webhook.url,
  };
}

export async function labCarriedChild(url: string) {
  "use workflow";
  return (await carryUrl(url)).url;
}

async function carryUrl(url: string) {
  "use step";
  const token = new URL(url).pathname.split("/").pop() ?? "";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return { url, tokenHash: Buffer.from(digest).toString("hex") };
}

/** A signed, size-limited webhook (LAB_WEBHOOK_SECRET): its refusals are what a provider's debugging needs. */
export async function labGuarded() {
  "use workflow";
  const webhook = createWebhook({
    timeout: "1h",
    maxBodyBytes: 64,
    verify: { scheme: "hmac", secretEnv: "LAB_WEBHOOK_SECRET", header: "x-lab-signature" },
  });
  let received = 0;
  for await (const _request of webhook) received++;
  return { received };
}

/** Asks for a webhook with a chosen token, which DESIGN §2 forbids: the run fails naming the option. */
export async function labChosenToken() {
  "use workflow";
  const webhook = createWebhook({ token: "abc" } as Parameters<typeof createWebhook>[0]);
  return webhook.url;
}
