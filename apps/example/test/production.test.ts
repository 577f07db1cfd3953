/**
 * The example app under `next build && next start`: each scenario clicked through in Chromium
 * as a person would, the HTTP contract of the generated routes, and recovery after a restart.
 * One build and one server (restarted once, for recovery) serve every test in this file.
 */
import { createHash, createHmac } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { productionBuild } from "./support/production-build";

const SECRET = "example-test-secret-0123456789abcdef0123456789abcdef";
const ENV = { HOOKLINE_SECRET: SECRET };

let server: NextServer;
let browser: BrowserContext;

beforeAll(async () => {
  await productionBuild({ env: ENV });
  server = await startNext("start", { env: ENV });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.url + path);
  return page;
}

async function outcome(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.getByTestId("outcome").filter({ hasText: text }).waitFor({ timeout });
}

interface RunJson {
  status: string;
  createdAt: number;
  endedAt: number | null;
  result?: Record<string, unknown>;
  steps: { name: string; status: string }[];
  waits: { kind: string; label: string }[];
}

async function runJson(runId: string): Promise<RunJson> {
  const response = await fetch(`${server.url}/api/runs/${runId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as RunJson;
}

describe("the scenarios, clicked through", () => {
  it("the home page leads to the five scenarios", async () => {
    const page = await open("/");
    for (const name of ["Checkout", "Document verification", "Human approval", "Large import by reference", "Runs"]) {
      expect(
        await page
          .getByRole("main")
          .getByRole("link", { name: new RegExp(`^${name}`) })
          .count(),
        name,
      ).toBe(1);
    }
    await screenshot(page, "home");
    await page
      .getByRole("main")
      .getByRole("link", { name: /^Checkout/ })
      .click();
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await page.close();
  });

  it("checkout with a good card: the provider's events are answered inline and the ledger ends paid", async () => {
    const page = await open("/checkout");
    await page.getByRole("button", { name: "Pay with a good card" }).click();
    await outcome(page, "paid");
    const ledger = page.getByRole("region", { name: "ledger" });
    expect(await ledger.locator("tbody tr").allInnerTexts()).toEqual([
      expect.stringContaining("payment.created"),
      expect.stringContaining("payment.authorized"),
      expect.stringContaining("payment.succeeded"),
    ]);
    expect(await page.getByTestId("receipt").innerText()).toMatch(/^Thank you! Order ord_\w+: 42\.00 EUR received\.$/);
    // The provider got each answer on its own request, from the step that recorded the event.
    const log = page.getByRole("region", { name: "Payment provider's log" });
    await log.getByText('{"received":"payment.succeeded","ledgerLine":3}').waitFor({ timeout: 10_000 });
    expect(await log.locator("tbody tr").allInnerTexts()).toEqual([
      expect.stringMatching(/payment\.created\s+200 \{"received":"payment\.created","ledgerLine":1\}/),
      expect.stringMatching(/payment\.authorized\s+200 \{"received":"payment\.authorized","ledgerLine":2\}/),
      expect.stringMatching(/payment\.succeeded\s+200 \{"received":"payment\.succeeded","ledgerLine":3\}/),
    ]);
    expect(await page.getByTestId("run-status").innerText()).toBe("completed");
    await screenshot(page, "checkout-paid");
    await page.close();
  });

  it("checkout with a declined card ends declined, without a receipt", async () => {
    const page = await open("/checkout");
    await page.getByRole("button", { name: "Pay with a card that is declined" }).click();
    await outcome(page, "declined");
    expect(await page.getByRole("region", { name: "ledger" }).locator("tbody tr").allInnerTexts()).toEqual([
      expect.stringContaining("payment.created"),
      expect.stringContaining("payment.failed"),
    ]);
    expect(await page.getByTestId("receipt").count()).toBe(0);
    await screenshot(page, "checkout-declined");
    await page.close();
  });

  it("document verification shows verified, rejected, or timed out when the vendor misses the deadline", async () => {
    const page = await open("/verify");
    await page.getByRole("button", { name: "Submit a clear scan" }).click();
    await outcome(page, "verified");
    await screenshot(page, "verify-verified");

    await page.getByRole("button", { name: "Submit a blurry scan" }).click();
    await outcome(page, "rejected");
    expect(await page.getByText("the photo is too blurry to read").count()).toBe(1);
    await screenshot(page, "verify-rejected");

    await page.getByRole("button", { name: "Submit to a slow vendor" }).click();
    await outcome(page, "timed out", 20_000);
    // The vendor calls back after the deadline: the URL is gone.
    await page.getByRole("region", { name: "Vendor's log" }).getByText("410").waitFor({ timeout: 15_000 });
    await screenshot(page, "verify-timed-out");
    await page.close();
  });

  it("human approval: Approve pays out, Reject takes the other branch", async () => {
    const page = await open("/approval");
    const approve = page.getByRole("button", { name: "Approve" });
    expect(await approve.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Request approval" }).click();
    await page.getByText("A request is waiting for your decision.").waitFor({ timeout: 30_000 });
    await screenshot(page, "approval-waiting");
    await approve.click();
    await outcome(page, "approved");
    expect(await page.getByText(/Payout scheduled: po_exp_\w+/).count()).toBe(1);
    await screenshot(page, "approval-approved");

    await page.getByLabel("What for").fill("Espresso machine");
    await page.getByRole("button", { name: "Request approval" }).click();
    await page.getByText("A request is waiting for your decision.").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Reject" }).click();
    await outcome(page, "rejected");
    expect(await page.getByText("Reason: Not in this quarter's budget").count()).toBe(1);
    await screenshot(page, "approval-rejected");
    await page.close();
  });

  it("large import: the run waits on upload:<id> until the upload route resumes it with the file's key", async () => {
    const page = await open("/import");
    const uploadButton = page.getByRole("button", { name: "Upload customers.csv" });
    await page.getByRole("button", { name: "Start import" }).click();
    await page.getByText(/The run waits on hook upload:imp_\w+/).waitFor();
    await page.getByText("waiting: upload of customers.csv").waitFor({ timeout: 30_000 });
    await screenshot(page, "import-waiting");
    await uploadButton.click();
    await outcome(page, "2,500 rows imported");
    expect(await page.getByText(/3 batches from imp_\w+\.csv/).count()).toBe(1);
    await screenshot(page, "import-done");
    await page.close();
  });

  it("the runs page lists runs with steps and pending waits, and refreshes by itself", async () => {
    const started = (await (await fetch(`${server.url}/api/imports`, { method: "POST", body: "{}" })).json()) as {
      runId: string;
      importId: string;
    };
    const page = await open("/runs");
    const row = page.getByTestId("run-row").filter({ has: page.locator(`[title="${started.runId}"]`) });
    await row.getByText("waiting: upload of customers.csv").waitFor({ timeout: 30_000 });
    expect(await row.getByTestId("run-status").innerText()).toBe("running");
    // Earlier runs are listed with their steps and timings.
    const checkoutRow = page.getByTestId("run-row").filter({ hasText: "checkout" }).first();
    expect(await checkoutRow.innerText()).toMatch(/recordPaymentEvent \d+ ms/);
    await screenshot(page, "runs-waiting");

    // Resume it from outside the page; the page shows the change without a reload.
    const upload = await fetch(`${server.url}/api/uploads/${started.importId}`, {
      method: "PUT",
      body: "id,name,email\n1,Ada,ada@example.com\n",
    });
    expect(upload.status).toBe(200);
    await row.getByTestId("run-status").filter({ hasText: "completed" }).waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/importBatch \d+ ms/);
    await screenshot(page, "runs-completed");
    await page.close();
  });
});

function sign(endpoint: string, body: string, timestamp = Date.now(), secret = SECRET): Record<string, string> {
  const payload = `${endpoint}\n${timestamp}\n${createHash("sha256").update(body).digest("hex")}`;
  return {
    "content-type": "application/json",
    "x-hookline-timestamp": String(timestamp),
    "x-hookline-signature": createHmac("sha256", secret).update(`internal:${payload}`).digest("base64url"),
  };
}

describe("the generated routes over HTTP", () => {
  it("answer 404 for a webhook token nobody issued, whatever the method", async () => {
    for (const method of ["POST", "GET", "PUT"]) {
      const response = await fetch(`${server.url}/.well-known/workflow/v1/webhook/not-a-real-token`, {
        method,
        body: method === "GET" ? undefined : "{}",
      });
      expect(response.status, method).toBe(404);
    }
  });

  it("refuse the internal flow and step endpoints to outsiders with 401", async () => {
    const body = JSON.stringify({ reason: "outsider" });
    for (const endpoint of ["flow", "step"]) {
      const url = `${server.url}/.well-known/workflow/v1/${endpoint}`;
      const unsigned = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
      expect(unsigned.status, `${endpoint} unsigned`).toBe(401);
      const wrongSecret = await fetch(url, {
        method: "POST",
        body,
        headers: sign(endpoint, body, Date.now(), "not-the-secret-0123456789abcdef0123456789"),
      });
      expect(wrongSecret.status, `${endpoint} wrong secret`).toBe(401);
      const stale = await fetch(url, { method: "POST", body, headers: sign(endpoint, body, Date.now() - 10 * 60_000) });
      expect(stale.status, `${endpoint} stale`).toBe(401);
      const otherEndpoint = await fetch(url, {
        method: "POST",
        body,
        headers: sign(endpoint === "flow" ? "step" : "flow", body),
      });
      expect(otherEndpoint.status, `${endpoint} signed for the other endpoint`).toBe(401);
      const tampered = await fetch(url, { method: "POST", body: `${body} `, headers: sign(endpoint, body) });
      expect(tampered.status, `${endpoint} tampered body`).toBe(401);
      // The runtime's own signature gets through.
      const signed = await fetch(url, { method: "POST", body, headers: sign(endpoint, body) });
      expect(signed.status, `${endpoint} signed`).toBe(200);
    }
  });

  it("start one checkout for a burst of retries with one Idempotency-Key, and refuse a key that is too long", async () => {
    const post = (key: string) =>
      fetch(`${server.url}/api/checkout`, {
        method: "POST",
        headers: { "idempotency-key": key },
        body: JSON.stringify({ card: "good" }),
      });
    const key = `double-click-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => (await (await post(key)).json()) as { runId: string; orderId: string }),
    );
    expect(new Set(answers.map((a) => a.runId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.orderId)).size).toBe(1);
    expect((await runJson(answers[0]!.runId)).status).not.toBe("failed");
    const other = (await (await post(`${key}-other`)).json()) as { runId: string };
    expect(other.runId).not.toBe(answers[0]!.runId);
    const tooLong = await post("k".repeat(600));
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toMatch(
      /idempotencyKey must be a string of 1 to 512 characters/,
    );
  });

  it("ship an order as child runs its workflow starts with hookline/api: a failed parcel is reported, info() names the order", async () => {
    // The build itself is the check that a workflow importing "hookline/api" bundles (it failed with HOOKLINE_BUNDLE_NODE_BUILTIN).
    const orderId = `ord_children_${Date.now()}`;
    const started = await fetch(`${server.url}/api/shipments`, {
      method: "POST",
      body: JSON.stringify({ orderId, parcels: ["a", "lost"] }),
    });
    expect(started.status).toBe(200);
    const { runId } = (await started.json()) as { runId: string };
    const order = await eventually(
      async () => {
        const run = await runJson(runId);
        return run.status === "completed" ? run : undefined;
      },
      30_000,
      "the order to ship",
    );
    const result = order.result as {
      customsRunId: string;
      shipped: Array<{ parcel: string; runId: string; label?: string; failed?: string }>;
    };
    expect(result.shipped).toEqual([
      { parcel: "a", runId: expect.any(String), label: `label:${orderId}:a` },
      { parcel: "lost", runId: expect.any(String), failed: `Parcel lost of ${orderId} was lost by the carrier.` },
    ]);
    for (const parcel of result.shipped) {
      const info = (await (await fetch(`${server.url}/api/shipments/${parcel.runId}`)).json()) as {
        workflow: string;
        status: string;
        parentRunId: string;
      };
      expect(info).toEqual({
        runId: parcel.runId,
        workflow: "shipParcel",
        status: parcel.failed ? "failed" : "completed",
        parentRunId: runId,
      });
    }
    expect(
      ((await (await fetch(`${server.url}/api/shipments/${runId}`)).json()) as { parentRunId: unknown }).parentRunId,
    ).toBeNull();
  });

  it("cancelling an order cancels its parcels still running, and not the customs run it started detached", async () => {
    const orderId = `ord_cancel_${Date.now()}`;
    const { runId } = (await (
      await fetch(`${server.url}/api/shipments`, {
        method: "POST",
        body: JSON.stringify({ orderId, parcels: ["held"] }),
      })
    ).json()) as {
      runId: string;
    };
    const children = await eventually(
      async () => {
        const { runs } = (await (await fetch(`${server.url}/api/runs`)).json()) as {
          runs: Array<RunJson & { runId: string; workflow: string; parentRunId: string | null }>;
        };
        const mine = runs.filter((run) => run.parentRunId === runId);
        return mine.length === 2 && mine.every((run) => run.waits.some((wait) => wait.kind === "hook"))
          ? mine
          : undefined;
      },
      30_000,
      "the parcel and customs runs to wait",
    );
    const parcel = children.find((run) => run.workflow === "shipParcel")!;
    const customs = children.find((run) => run.workflow === "declareCustoms")!;
    expect((await fetch(`${server.url}/api/shipments/${runId}`, { method: "DELETE" })).status).toBe(200);
    await eventually(
      async () => ((await runJson(parcel.runId)).status === "cancelled" ? true : undefined),
      30_000,
      "the parcel to be cancelled",
    );
    expect((await runJson(runId)).status).toBe("cancelled");
    // One cascade cancels every attached child at once: the detached one is still waiting.
    expect((await runJson(customs.runId)).status).toBe("running");
  });

  it("continue a sleeping run after a restart, on their own, without any request", async () => {
    const { runId } = (await (
      await fetch(`${server.url}/api/verify`, { method: "POST", body: JSON.stringify({ scan: "slow" }) })
    ).json()) as { runId: string };
    await eventually(
      async () => ((await runJson(runId)).waits.some((w) => w.kind === "sleep") ? true : undefined),
      30_000,
      "the run to sleep",
    );
    await server.stop("SIGKILL");
    server = await startNext("start", { env: ENV, port: server.port, dataDir: server.dataDir });
    // startNext fetched only the home page. Let the deadline pass with no request to any run.
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const askedAt = Date.now();
    const run = await runJson(runId);
    expect(run.status).toBe("completed");
    expect(run.result).toMatchObject({ result: "timed out" });
    expect(run.endedAt).toBeLessThan(askedAt);
  });
});
