/** Checkout, in-process: the payment provider is a stubbed fetch; its callbacks go to the run's webhook URL. */
import { WorkflowRunFailedError } from "hookline/api";
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { checkout } from "@/workflows/checkout";

const psp = vi.fn(async (_url: string, _init?: RequestInit) => new Response(null, { status: 201 }));
let hl: TestRuntime;
beforeEach(async () => {
  vi.stubGlobal("fetch", psp);
  vi.spyOn(console, "log").mockImplementation(() => {});
  hl = await createTestRuntime({ baseUrl: "https://shop.example" });
});
afterEach(async () => {
  await hl.close();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  psp.mockClear();
});

it("records each provider event, answers it inline, and settles on payment.succeeded", async () => {
  const run = await hl.start(checkout, ["ord-1", 4_200, "good"]);
  const payments = await run.waitForHook({ kind: "webhook" });
  const [url, init] = psp.mock.calls[0]!;
  expect(url).toBe("https://shop.example/api/fake-psp/payments");
  expect(JSON.parse(String(init?.body))).toEqual({
    orderId: "ord-1",
    amountCents: 4_200,
    card: "good",
    callbackUrl: payments.url,
  });

  const send = (type: string) =>
    payments.send({
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type, amountCents: 4_200 }),
    });
  const pending = await send("payment.pending");
  expect(await pending.json()).toEqual({ received: "payment.pending", ledgerLine: 1 });
  const succeeded = await send("payment.succeeded");
  expect(await succeeded.json()).toEqual({ received: "payment.succeeded", ledgerLine: 2 });

  const result = await run.result();
  expect(result).toMatchObject({
    orderId: "ord-1",
    status: "paid",
    receipt: "Thank you! Order ord-1: 42.00 EUR received.",
  });
  expect(result.ledger.map((line) => line.event)).toEqual(["payment.pending", "payment.succeeded"]);
  expect(console.log).toHaveBeenCalledWith("[example] order ord-1 paid: packing it");
  expect((await send("payment.succeeded")).status).toBe(410);
});

it("fails the run at once when the provider refuses the payment", async () => {
  psp.mockResolvedValueOnce(new Response("card declined", { status: 400 }));
  const run = await hl.start(checkout, ["ord-2", 100, "declined"]);
  const error = await run.result().catch((e: unknown) => e);
  expect(WorkflowRunFailedError.is(error) && error.cause.message).toBe(
    "The payment provider refused the payment: card declined",
  );
  expect((await run.handle.steps())[0]).toMatchObject({ name: "requestPayment", status: "failed", attempts: 1 });
});

it("gives up when the provider stays silent past the webhook's 10 minutes", async () => {
  const run = await hl.start(checkout, ["ord-3", 100, "good"]);
  await hl.clock.advance("9m");
  expect(await run.status()).toBe("running");
  await hl.clock.advance("1m");
  const error = await run.result().catch((e: unknown) => e);
  expect(WorkflowRunFailedError.is(error) && error.cause.name).toBe("HookTimeoutError");
});
