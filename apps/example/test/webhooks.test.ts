/**
 * Issue 5's end-to-end scenarios over HTTP against `next start` (the shared production build,
 * the local world): what the outside service, the client and the run each see. Webhook URLs and
 * tokens reach the test the way they reach a partner: handed to a simulated outside service.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { productionBuild } from "./support/production-build";

let server: NextServer;

beforeAll(async () => {
  await productionBuild();
  server = await startNext("start");
});

afterAll(async () => {
  await server?.stop();
});

const url = (path: string) => (path.startsWith("http") ? path : server.url + path);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url(path), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

async function json<T = Record<string, unknown>>(response: Response | Promise<Response>, status = 200): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  expect(answer.status, text).toBe(status);
  return JSON.parse(text) as T;
}

interface RunView {
  status: string;
  result?: Record<string, unknown>;
  error?: string;
  waits: { kind: string; label: string }[];
}

const runView = (runId: string) => json<RunView>(fetch(url(`/api/runs/${runId}`)));

async function finished(runId: string, timeoutMs = 30_000): Promise<RunView> {
  return eventually(
    async () => {
      const run = await runView(runId);
      return ["completed", "failed", "cancelled"].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    `run ${runId} to end`,
  );
}

interface LoggedEvent {
  seq: number;
  type: string;
  corr: string | null;
  at: number;
}

async function events(runId: string): Promise<LoggedEvent[]> {
  return (await json<{ events: LoggedEvent[] }>(fetch(url(`/api/integrations/runs/${runId}/events`)))).events;
}

const count = (log: LoggedEvent[], type: string) => log.filter((e) => e.type === type).length;

/** Starts an integration workflow (workflows/integrations.ts). */
const start = (workflow: string, extra: Record<string, unknown> = {}) =>
  json<{ runId: string; id: string }>(post("/api/integrations/runs", { workflow, ...extra }));

/** What the run handed the simulated partner for `id`, once it has. */
const handout = <T extends Record<string, string>>(id: string) =>
  eventually(
    async () => {
      const response = await fetch(url(`/api/integrations/partner?id=${id}`));
      return response.status === 200 ? ((await response.json()) as T) : undefined;
    },
    30_000,
    `the hand-out for ${id}`,
  );

interface Delivery {
  event: string;
  status: number | null;
  answer: string;
}

/** The provider's log for `id` once it holds `n` answered deliveries. */
const providerLog = (path: string, n: number) =>
  eventually(
    async () => {
      const { deliveries } = await json<{ deliveries: Delivery[] }>(fetch(url(path)));
      return deliveries.length === n && deliveries.every((d) => d.status !== null) ? deliveries : undefined;
    },
    30_000,
    `${n} answered deliveries at ${path}`,
  );

describe("end-to-end webhook scenarios", () => {
  it("1. a payment webhook: several events to one URL, each answered inline by a step, then the ledger", async () => {
    const good = await json<{ runId: string; orderId: string }>(post("/api/checkout", { card: "good" }));
    const declined = await json<{ runId: string; orderId: string }>(post("/api/checkout", { card: "declined" }));

    const paid = await finished(good.runId);
    expect(paid.status).toBe("completed");
    const ledger = paid.result!.ledger as { line: number; event: string; amountCents: number; answer: string }[];
    expect(ledger.map((l) => [l.line, l.event, l.amountCents])).toEqual([
      [1, "payment.created", 4200],
      [2, "payment.authorized", 4200],
      [3, "payment.succeeded", 4200],
    ]);
    expect(paid.result).toMatchObject({
      orderId: good.orderId,
      status: "paid",
      receipt: `Thank you! Order ${good.orderId}: 42.00 EUR received.`,
    });
    // The provider got a different JSON body on each of its requests: the answer of the step that recorded it.
    const deliveries = await providerLog(`/api/fake-psp/payments?orderId=${good.orderId}`, 3);
    expect(deliveries.map((d) => [d.event, d.status, JSON.parse(d.answer)])).toEqual([
      ["payment.created", 200, { received: "payment.created", ledgerLine: 1 }],
      ["payment.authorized", 200, { received: "payment.authorized", ledgerLine: 2 }],
      ["payment.succeeded", 200, { received: "payment.succeeded", ledgerLine: 3 }],
    ]);
    expect(ledger.map((l) => l.answer)).toEqual(deliveries.map((d) => d.answer));
    const log = await events(good.runId);
    expect([count(log, "hook_received"), count(log, "webhook_responded")]).toEqual([3, 3]);

    // The other terminal event ends it too, without fulfilment.
    const failed = await finished(declined.runId);
    expect(failed.result).toMatchObject({ status: "declined", receipt: null });
    expect((failed.result!.ledger as { event: string }[]).map((l) => l.event)).toEqual([
      "payment.created",
      "payment.failed",
    ]);
    const declinedLog = await providerLog(`/api/fake-psp/payments?orderId=${declined.orderId}`, 2);
    expect(declinedLog.map((d) => JSON.parse(d.answer).ledgerLine)).toEqual([1, 2]);
  });

  it("2. a verification racing the vendor's callback against a deadline: verified in time, timed out when late, and the late callback gets 410", async () => {
    const clear = await json<{ runId: string; documentId: string }>(post("/api/verify", { scan: "clear" }));
    const slow = await json<{ runId: string; documentId: string }>(post("/api/verify", { scan: "slow" }));

    const verified = await finished(clear.runId);
    expect(verified.result).toEqual({ documentId: clear.documentId, result: "verified", reason: "all fields match" });
    expect((await providerLog(`/api/fake-vendor/checks?documentId=${clear.documentId}`, 1))[0].status).toBe(202);
    const clearLog = await events(clear.runId);
    expect(count(clearLog, "hook_received")).toBe(1);
    expect(count(clearLog, "sleep_completed")).toBe(0);

    const late = await finished(slow.runId, 20_000);
    expect(late.result).toEqual({ documentId: slow.documentId, result: "timed out" });
    // The vendor answers 3 s after the deadline: the URL is gone, and the run never sees it.
    const [lateCallback] = await providerLog(`/api/fake-vendor/checks?documentId=${slow.documentId}`, 1);
    expect(lateCallback.status).toBe(410);
    const slowLog = await events(slow.runId);
    expect([
      count(slowLog, "sleep_completed"),
      count(slowLog, "hook_disposed"),
      count(slowLog, "hook_received"),
    ]).toEqual([1, 1, 0]);
  });

  it("3. a claim-check import: a schema-checked payload on upload:<id>; an invalid one is refused with the issues and the run keeps waiting", async () => {
    const { runId, importId } = await json<{ runId: string; importId: string }>(
      post("/api/imports", { fileName: "people.csv" }),
    );
    await eventually(
      async () => ((await runView(runId)).waits.some((w) => w.label === "upload of people.csv") ? true : undefined),
      30_000,
      "the upload wait",
    );
    const rows = Array.from({ length: 1_500 }, (_, i) => `${i + 1},Person ${i + 1},p${i + 1}@example.com`);
    const csv = `id,name,email\n${rows.join("\n")}\n`;
    // The client uploads to storage itself; only the key goes to the run.
    const stored = await json<{ objectKey: string; bytes: number }>(
      fetch(url(`/api/storage/${importId}.csv`), { method: "PUT", body: csv }),
      201,
    );

    const invalid = await json<{ error: string; issues: unknown[] }>(
      post(`/api/uploads/${importId}/complete`, { objectKey: 42 }),
      400,
    );
    expect(invalid.issues).toEqual([
      { message: "Expected string, got number", path: ["objectKey"] },
      { message: "Expected number, got nothing", path: ["bytes"] },
    ]);
    expect(invalid.error).toMatch(/objectKey: Expected string, got number; bytes: Expected number, got nothing/);
    const notJson = await fetch(url(`/api/uploads/${importId}/complete`), { method: "POST", body: "objectKey=x" });
    expect(notJson.status).toBe(400);
    const still = await runView(runId);
    expect([still.status, still.waits.map((w) => w.label)]).toEqual(["running", ["upload of people.csv"]]);
    expect(count(await events(runId), "hook_received")).toBe(0);

    expect(await json(post(`/api/uploads/${importId}/complete`, stored))).toEqual({ runId });
    const run = await finished(runId);
    expect(run.result).toEqual({
      importId,
      fileName: "people.csv",
      objectKey: `${importId}.csv`,
      bytes: csv.length,
      rows: 1_500,
      imported: 1_500,
      batches: 2,
    });
    expect((await post(`/api/uploads/${importId}/complete`, stored)).status).toBe(404);
  });

  it("4. an app route forwards with resumeWebhook and returns the workflow's own response; no token is 400, an unknown or ended one 404", async () => {
    const { runId, id } = await start("trackShipment");
    const { inboxToken } = await handout<{ inboxToken: string }>(id);
    const inbox = (token?: string) =>
      `/api/integrations/inbox${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;

    expect((await post(inbox(), { status: "in_transit" })).status).toBe(400);
    expect((await post(inbox("no-such-token"), { status: "in_transit" })).status).toBe(404);
    for (const [update, status] of ["in_transit", "delivered"].entries()) {
      const response = await post(inbox(inboxToken), { status });
      expect(response.headers.get("x-recorded-by")).toBe("trackShipment");
      expect(await json(response, 201)).toEqual({ shipmentId: id, status, update: update + 1 });
    }
    expect((await finished(runId)).result).toEqual({ shipmentId: id, history: ["in_transit", "delivered"] });
    expect((await post(inbox(inboxToken), { status: "returned" })).status).toBe(404);
  });

  it("5. a callback URL handed to a partner: its whole JSON body is the run's data, and the same delivery twice is harmless", async () => {
    const { runId, id } = await start("partnerSignup");
    const { callbackUrl } = await handout<{ callbackUrl: string }>(id);
    expect(new URL(callbackUrl).pathname).toMatch(/^\/\.well-known\/workflow\/v1\/webhook\/[\w-]{40,}$/);
    const body = {
      event: "account.verified",
      account: {
        id: "acct_9",
        owners: [
          { name: "Zoë Ångström", share: 0.5 },
          { name: "李雷", share: 0.5 },
        ],
        limits: null,
      },
      tags: ["kyc", "eu"],
      amount: 12.5,
      verified: true,
    };
    const delivery = { "webhook-id": "dlv_1" };
    const first = await json<{ accepted: string; receipt: string }>(post(callbackUrl, body, delivery));
    expect(first).toEqual({ accepted: "dlv_1", receipt: expect.stringMatching(/^rcpt_/) });
    // The provider did not see the answer and retries, while the run is finishing and after it ended.
    expect(await json(post(callbackUrl, body, delivery))).toEqual(first);
    const run = await finished(runId);
    expect(run.result).toEqual({ signupId: id, data: body, receipt: first.receipt });
    expect(await json(post(callbackUrl, body, delivery))).toEqual(first);
    const log = await events(runId);
    expect([count(log, "hook_received"), count(log, "webhook_responded")]).toEqual([1, 1]);
    // A delivery the run never accepted is refused once it has ended.
    expect((await post(callbackUrl, body, { "webhook-id": "dlv_2" })).status).toBe(410);
  });

  it("6. a completed-or-failed signal: success resumes the run with the result, failure makes its await throw the message", async () => {
    const good = await start("renderVideo");
    const bad = await start("renderVideo");
    const goodReport = (await handout<{ reportUrl: string }>(good.id)).reportUrl;
    const badReport = (await handout<{ reportUrl: string }>(bad.id)).reportUrl;
    expect(new URL(goodReport).pathname).toBe(`/api/integrations/jobs/${good.id}`);

    expect((await post(goodReport, { status: "done" })).status).toBe(400);
    const result = { videoUrl: `https://cdn.example/${good.id}.mp4`, seconds: 93 };
    expect(await json(post(goodReport, { status: "succeeded", result }))).toEqual({ runId: good.runId });
    expect(await json(post(badReport, { status: "failed", error: "codec not supported: av2" }))).toEqual({
      runId: bad.runId,
    });

    expect((await finished(good.runId)).result).toEqual({ jobId: good.id, status: "succeeded", result });
    expect((await finished(bad.runId)).result).toEqual({
      jobId: bad.id,
      status: "failed",
      error: "codec not supported: av2",
    });
    expect(count(await events(good.runId), "hook_received")).toBe(1);
    expect(count(await events(bad.runId), "hook_rejected")).toBe(1);
    // The job is over: a second report finds nothing waiting.
    expect((await post(badReport, { status: "succeeded", result })).status).toBe(404);
  });

  it("7. server code finds a pending wait with listHooks by its metadata and resumes it; the raw token is never listed", async () => {
    const { runId, id: ticketId } = await start("refundReview");
    const { hookToken } = await handout<{ hookToken: string }>(ticketId);
    const listing = await fetch(url("/api/integrations/reviews"));
    const text = await listing.text();
    expect(listing.status).toBe(200);
    expect(text).not.toContain(hookToken);
    type Review = {
      runId: string;
      tokenHashPrefix: string;
      status: string;
      metadata: Record<string, unknown>;
      createdAt: string;
      expiresAt: string;
    };
    const review = (JSON.parse(text) as { reviews: Review[] }).reviews.find((r) => r.runId === runId)!;
    expect(review.metadata).toEqual({
      kind: "refund-review",
      ticketId,
      customer: { name: "Ada Lovelace", tier: "gold" },
      amountCents: 4999,
      reasons: ["damaged", "late"],
    });
    expect(review.status).toBe("active");
    expect(review.tokenHashPrefix).toBe(createHash("sha256").update(hookToken).digest("hex").slice(0, 12));
    // timeout "1h", from the workflow's clock (the deadline is set a moment before the wait is recorded).
    expect(Math.abs(Date.parse(review.expiresAt) - Date.parse(review.createdAt) - 60 * 60 * 1000)).toBeLessThan(1_000);

    expect((await post("/api/integrations/reviews", { ticketId, resolution: "maybe", agent: "grace" })).status).toBe(
      400,
    );
    expect(
      (await post("/api/integrations/reviews", { ticketId: "tkt_nobody", resolution: "refund", agent: "grace" }))
        .status,
    ).toBe(404);
    expect(await json(post("/api/integrations/reviews", { ticketId, resolution: "refund", agent: "grace" }))).toEqual({
      runId,
    });
    expect((await finished(runId)).result).toEqual({ ticketId, resolution: "refund", agent: "grace" });
    const after = await json<{ reviews: Review[] }>(fetch(url("/api/integrations/reviews")));
    expect(after.reviews.some((r) => r.runId === runId)).toBe(false);
  });

  it("8. cancelling a waiting run: its URL answers 410 at once and its timeout never fires", async () => {
    const startedAt = Date.now();
    const { runId, id } = await start("partnerCallback", { timeout: "4s" });
    const { callbackUrl } = await handout<{ callbackUrl: string }>(id);
    expect(await json(fetch(url(`/api/integrations/runs/${runId}`), { method: "DELETE" }))).toEqual({
      runId,
      status: "cancelled",
    });
    expect((await post(callbackUrl, { ok: true })).status).toBe(410);
    expect((await post(callbackUrl, { ok: true }, { "webhook-id": "dlv_1" })).status).toBe(410);
    // Cancelled well before the deadline, so the wait below would see the timeout if it fired.
    expect(Date.now() - startedAt).toBeLessThan(3_500);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 5_500 - Date.now())));

    const log = await events(runId);
    expect(log.at(-1)?.type).toBe("run_cancelled");
    expect(count(log, "hook_timed_out") + count(log, "hook_received")).toBe(0);
    // noteTimeout, the step after a timeout, never ran.
    expect(count(log, "step_started")).toBe(1);
    expect((await runView(runId)).status).toBe("cancelled");
    expect((await post(callbackUrl, { ok: true })).status).toBe(410);
  });
});
