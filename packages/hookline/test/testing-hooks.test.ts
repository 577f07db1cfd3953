/** Hooks and webhooks in a test: wait for them, answer them, let their timeouts fire on the virtual clock. */
import { HookNotFoundError, WorkflowRunFailedError } from "hookline/api";
import { afterEach, expect, it } from "vitest";
import { createTestRuntime, type TestRuntime } from "../src/testing.js";
import { approve, collect } from "./fixtures/approval";

let hl: TestRuntime | undefined;
afterEach(async () => {
  await hl?.close();
  hl = undefined;
});

it("waits for a hook with a chosen token and resumes it", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(approve, ["r-1"]);
  const hook = await run.waitForHook({ token: "approval:r-1" });
  expect(hook).toMatchObject({ kind: "hook", token: "approval:r-1", metadata: { requestId: "r-1" } });
  expect(hook.expiresAt).toEqual(new Date(hl.clock.now().getTime() + 2 * 86_400_000));
  await hook.resume({ approved: true });
  expect(await run.status()).toBe("completed");
  expect(await run.result()).toBe("approved");
  await expect(hl.resumeHook("approval:r-1", { approved: false })).rejects.toSatisfy(HookNotFoundError.is);
});

it("resumes by token from the runtime, as server code would", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(approve, ["r-2"]);
  await hl.resumeHook("approval:r-2", { approved: false });
  expect(await run.result()).toBe("rejected");
  const types = (await run.events()).map((event) => event.type);
  expect(types).toEqual(["run_created", "run_started", "hook_created", "hook_received", "run_completed"]);
});

it("times a hook out when the clock passes its timeout, and refuses a late payload", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(approve, ["r-3"]);
  await hl.clock.advance("47h");
  expect(await run.status()).toBe("running");
  await hl.clock.advance("1h");
  expect(await run.result()).toBe("expired");
  expect((await run.events()).map((event) => event.type)).toContain("hook_timed_out");
  await expect(hl.resumeHook("approval:r-3", { approved: true })).rejects.toSatisfy(HookNotFoundError.is);
});

it("lets result() skip to a hook's timeout when nobody answers", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(approve, ["r-4"]);
  expect(await run.result()).toBe("expired");
});

it("delivers a request to a webhook through its URL and returns the step's answer", async () => {
  hl = await createTestRuntime({ baseUrl: "https://shop.example" });
  const run = await hl.start(collect, ["o-1"]);
  const webhook = await run.waitForHook({ kind: "webhook" });
  expect(webhook.url).toMatch(/^https:\/\/shop\.example\/\.well-known\/workflow\/v1\/webhook\/[A-Za-z0-9_-]{40,}$/);
  // The URL the step handed out is the one the test holds; the log keeps it with a marker in place of the token.
  const registered = (await run.events()).find((event) => event.type === "step_completed");
  const token = webhook.url!.split("/").pop()!;
  const recorded = webhook.url!.replace(token, `[token:${run.runId}/o1/`);
  expect(registered?.data).toMatchObject({
    result: { orderId: "o-1", url: expect.stringMatching(/\[token:[^\]]+\]$/) },
  });
  expect(JSON.stringify(registered)).toContain(recorded);
  expect(JSON.stringify(registered)).not.toContain(token);

  const wrongMethod = await hl.fetch(webhook.url!, { method: "GET" });
  expect(wrongMethod.status).toBe(405);
  const response = await webhook.send({
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "paid" }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ ok: true, seen: "paid" });
  expect(await run.result()).toBe("paid");
  expect((await hl.fetch(webhook.url!, { method: "POST", body: "{}" })).status).toBe(410);
});

it("forwards a request to a webhook by token, as the app's own route would with resumeWebhook()", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(collect, ["o-3"]);
  const { token } = await run.waitForHook({ kind: "webhook" });
  const response = await hl.resumeWebhook(
    token!,
    new Request("https://partner.example/hook", { method: "POST", body: JSON.stringify({ type: "shipped" }) }),
  );
  expect(await response.json()).toEqual({ ok: true, seen: "shipped" });
  expect(await run.result()).toBe("shipped");
  await expect(
    hl.resumeWebhook(token!, new Request("https://partner.example/hook", { method: "POST", body: "{}" })),
  ).rejects.toSatisfy(HookNotFoundError.is);
});

it("says which hook a run waits on instead of hanging", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(collect, ["o-2"]);
  await expect(run.result()).rejects.toThrow(
    /did not reach end: it is running, waiting on a webhook \S+ with no timeout\. Answer the hook first/,
  );
  await expect(run.waitForSleep()).rejects.toThrow(/did not reach a sleep/);
  await expect(hl.start(approve, ["r-5"]).then((r) => r.waitForHook({ kind: "webhook" }))).rejects.toThrow(
    /did not reach a webhook/,
  );
});

it("rejects a hook, failing the run as the workflow decides", async () => {
  hl = await createTestRuntime();
  const run = await hl.start(approve, ["r-6"]);
  await hl.rejectHook("approval:r-6", new Error("withdrawn"));
  const failure = await run.result().catch((error: unknown) => error);
  expect(WorkflowRunFailedError.is(failure)).toBe(true);
  expect((failure as WorkflowRunFailedError).cause.message).toBe("withdrawn");

  const other = await hl.start(approve, ["r-7"]);
  await (await other.waitForHook()).reject(new Error("superseded"));
  expect(await other.status()).toBe("failed");
});
