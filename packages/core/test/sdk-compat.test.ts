/**
 * Workflow SDK code running unchanged (issue 11): the API names and error shapes SDK code
 * relies on, exercised as its documentation uses them, only the imports changed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { getHookByToken, getRun, getWorld, healthCheck } from "../src/api.js";
import {
  FatalError,
  HookNotFoundError,
  RunCancelledError,
  WorkflowRunCancelledError,
  WorkflowRunFailedError,
} from "../src/shared/errors.js";
import { compileApp } from "./support/app.js";
import { runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

describe("getHookByToken", () => {
  test("gives the hook's run, metadata and creation time; HookNotFoundError once it ended or for an unknown token", async () => {
    const runtime = await runtimeFor({
      "workflows/approve.ts": `
        import { createHook } from "hookline";
        export async function approve(id: string) {
          "use workflow";
          const hook = createHook<{ ok: boolean }>({ token: "approve:" + id, metadata: { id, at: new Date(5) } });
          return (await hook).ok;
        }
      `,
    });
    const before = Date.now();
    const run = await runtime.start("workflow//workflows/approve.ts//approve", ["7"]);
    const hook = await waitFor("the hook", () => getHookByToken("approve:7").catch(() => undefined));
    expect(hook).toMatchObject({
      runId: run.runId,
      token: "approve:7",
      kind: "hook",
      metadata: { id: "7", at: new Date(5) },
    });
    expect(typeof hook.hookId).toBe("string");
    expect(hook.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    await expect(getHookByToken("approve:8")).rejects.toSatisfy(HookNotFoundError.is);
    await runtime.resumeHook("approve:7", { ok: true });
    await expect(run.returnValue).resolves.toBe(true);
    await expect(getHookByToken("approve:7")).rejects.toSatisfy(HookNotFoundError.is);
  });
});

describe("Run.returnValue's errors", () => {
  test("a failed run rejects with WorkflowRunFailedError: cause is the workflow's own error, a user error", async () => {
    const runtime = await runtimeFor({
      "workflows/charge.ts": `
        import { FatalError } from "hookline";
        class CardDeclined extends FatalError { override name = "CardDeclined"; }
        export async function charge() {
          "use workflow";
          await declined();
        }
        async function declined() {
          "use step";
          throw new CardDeclined("card declined");
        }
        export async function plain() {
          "use workflow";
          throw new TypeError("bad total");
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/charge.ts//charge", []);
    const error = await run.returnValue.catch((e: unknown) => e);
    expect(WorkflowRunFailedError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(WorkflowRunFailedError);
    const failed = error as WorkflowRunFailedError;
    expect(failed.name).toBe("WorkflowRunFailedError");
    expect(failed.runId).toBe(run.runId);
    expect(failed.errorCode).toBe("USER_ERROR");
    expect(failed.message).toContain("card declined");
    expect(FatalError.is(failed.cause)).toBe(true);
    expect(failed.cause.name).toBe("CardDeclined");
    expect(failed.cause.message).toBe("card declined");
    // A getRun handle from server code sees the same.
    const again = (await getRun(run.runId).returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
    expect(WorkflowRunFailedError.is(again) && again.cause.name).toBe("CardDeclined");

    const plain = await runtime.start("workflow//workflows/charge.ts//plain", []);
    const plainError = (await plain.returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
    expect(plainError.cause).toBeInstanceOf(TypeError);
    expect(plainError.cause.code).toBe("USER_ERROR");
  });

  test("a run failed by the runtime (a replay divergence) is a RUNTIME_ERROR", async () => {
    const runtime = await runtimeFor({
      "workflows/gone.ts": `
        export async function gone() {
          "use workflow";
          return await missing();
        }
        async function missing() { "use step"; return 1; }
      `,
    });
    // The step's code is not registered in this process: the runtime, not the workflow, fails the run.
    const { registries } = await import("../src/runtime.js");
    for (const id of [...registries().steps.keys()])
      if (id.includes("workflows/gone.ts")) registries().steps.delete(id);
    const run = await runtime.start("workflow//workflows/gone.ts//gone", []);
    const error = (await run.returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
    expect(WorkflowRunFailedError.is(error)).toBe(true);
    expect(error.errorCode).toBe("RUNTIME_ERROR");
    expect(error.cause.code).toBe("HOOKLINE_STEP_NOT_REGISTERED");
  });

  test("a cancelled run rejects with WorkflowRunCancelledError, also known as RunCancelledError", async () => {
    const runtime = await runtimeFor({
      "workflows/wait.ts": `
        import { sleep } from "hookline";
        export async function wait() { "use workflow"; await sleep("1h"); }
      `,
    });
    const run = await runtime.start("workflow//workflows/wait.ts//wait", []);
    await waitFor("running", async () => ((await run.status) === "running" ? true : undefined));
    await run.cancel("no longer needed");
    const error = await run.returnValue.catch((e: unknown) => e);
    expect(WorkflowRunCancelledError.is(error)).toBe(true);
    expect(RunCancelledError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(error).toMatchObject({
      name: "WorkflowRunCancelledError",
      runId: run.runId,
      message: expect.stringContaining("no longer needed"),
    });
  });
});

describe("custom serialization", () => {
  test("a class with the SDK's WORKFLOW_SERIALIZE / WORKFLOW_DESERIALIZE, registered with registerSerializableClass, crosses server, workflow and step", async () => {
    const app = await compileApp({
      "workflows/points.ts": `
        import { registerSerializableClass, WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";
        export class Point {
          constructor(public x: number, public y: number) {}
          plus(other: Point) { return new Point(this.x + other.x, this.y + other.y); }
          static [WORKFLOW_SERIALIZE](p: Point) { return { x: p.x, y: p.y }; }
          static [WORKFLOW_DESERIALIZE](d: { x: number; y: number }) { return new Point(d.x, d.y); }
        }
        registerSerializableClass("Point", Point);
        export async function walk(start: Point) {
          "use workflow";
          if (!(start instanceof Point)) throw new Error("not a Point in the workflow");
          const moved = await step(start);
          return [moved instanceof Point, moved.plus(new Point(1, 1))];
        }
        async function step(p: Point) {
          "use step";
          if (!(p instanceof Point)) throw new Error("not a Point in the step");
          return p.plus(new Point(10, 0));
        }
      `,
    });
    const runtime = await runtimeFor(app);
    const Point = app.modules["workflows/points.ts"]!.Point as new (x: number, y: number) => { x: number; y: number };
    const run = await runtime.start("workflow//workflows/points.ts//walk", [new Point(1, 2)]);
    const [inWorkflow, sum] = (await run.returnValue) as [boolean, unknown];
    expect(inWorkflow).toBe(true);
    expect(sum).toBeInstanceOf(Point);
    expect(sum).toMatchObject({ x: 12, y: 3 });
  });
});

describe("the workflow's clock", () => {
  test("a run's first sleep is measured from when the code called it, not from the run's creation", async () => {
    const runtime = await runtimeFor({
      "workflows/nap.ts": `
        import { sleep } from "hookline";
        export async function nap() {
          "use workflow";
          const calledAt = Date.now();
          await sleep("1s");
          return { calledAt, wokeAt: Date.now() };
        }
      `,
    });
    // A run created 3 s before anything drives it: what a loaded queue does to start latency.
    const runId = `run_${Date.now().toString(36)}late`;
    await runtime.world.append(
      runId,
      {
        type: "run_created",
        at: Date.now() - 3000,
        data: {
          workflowId: "workflow//workflows/nap.ts//nap",
          args: [],
          seed: "0123456789abcdef",
          origin: runtime.baseUrl,
        },
      },
      { expectedSeq: 0, wake: {} },
    );
    const { calledAt, wokeAt } = (await getRun(runId).returnValue) as { calledAt: number; wokeAt: number };
    const events = await getRun(runId).events();
    const started = events.find((e) => e.type === "run_started")!;
    const slept = events.find((e) => e.type === "sleep_started") as { data: { until: number } } | undefined;
    const woke = events.find((e) => e.type === "sleep_completed")!;
    expect(calledAt).toBeGreaterThanOrEqual(started.at);
    expect(slept?.data.until).toBe(calledAt + 1000);
    expect(woke.at - started.at).toBeGreaterThanOrEqual(1000);
    expect(wokeAt).toBeGreaterThanOrEqual(calledAt + 1000);
  });
});

describe("getStepMetadata", () => {
  test("stepStartedAt is the step's first start, as in the SDK; attemptStartedAt is this attempt's", async () => {
    const runtime = await runtimeFor({
      "workflows/retry.ts": `
        import { getStepMetadata, RetryableError } from "hookline";
        export async function retry() {
          "use workflow";
          return await flaky();
        }
        async function flaky() {
          "use step";
          const { attempt, stepStartedAt, attemptStartedAt } = getStepMetadata();
          if (attempt === 1) throw new RetryableError("later", { retryAfter: "1s" });
          return { attempt, stepStartedAt: stepStartedAt.getTime(), attemptStartedAt: attemptStartedAt.getTime() };
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/retry.ts//retry", []);
    const seen = (await run.returnValue) as { attempt: number; stepStartedAt: number; attemptStartedAt: number };
    const starts = (await run.events()).filter((e) => e.type === "step_started").map((e) => e.at);
    expect(seen.attempt).toBe(2);
    expect(seen.stepStartedAt).toBe(starts[0]);
    expect(seen.attemptStartedAt).toBe(starts[1]);
    expect(seen.attemptStartedAt - seen.stepStartedAt).toBeGreaterThanOrEqual(1000);
  });
});

describe("using", () => {
  test("`using hook = createHook()` disposes the hook at the end of its scope", async () => {
    const runtime = await runtimeFor({
      "workflows/scoped.ts": `
        import { createHook } from "hookline";
        export async function scoped() {
          "use workflow";
          {
            using hook = createHook<string>({ token: "scoped" });
            const first = await hook;
            if (first !== "one") throw new Error("unexpected " + first);
          }
          // Disposed at the end of the scope: its token is free again.
          const again = createHook<string>({ token: "scoped" });
          return "left the scope, then " + (await again);
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/scoped.ts//scoped", []);
    const first = await waitFor("the hook", () => getHookByToken("scoped").catch(() => undefined));
    await runtime.resumeHook("scoped", "one");
    const second = await waitFor("the second hook", () =>
      getHookByToken("scoped").then(
        (h) => (h.hookId !== first.hookId ? h : undefined),
        () => undefined,
      ),
    );
    await runtime.resumeHook("scoped", "two");
    await expect(run.returnValue).resolves.toBe("left the scope, then two");
    const events = await run.events();
    expect(events.filter((e) => e.type === "hook_disposed").map((e) => e.corr)).toEqual([first.hookId]);
    expect(second.runId).toBe(run.runId);
  });
});

describe("fetch from hookline", () => {
  test("is a step callable directly in a workflow: made once, its Response recorded and readable in the workflow", async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      hits++;
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json", "x-hit": String(hits) });
        res.end(JSON.stringify({ method: req.method, got: JSON.parse(body || "null") }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
    try {
      const runtime = await runtimeFor({
        "workflows/call.ts": `
          import { fetch, sleep } from "hookline";
          export async function call(url: string) {
            "use workflow";
            const response = await fetch(url, { method: "POST", body: JSON.stringify({ id: 7 }), headers: { "content-type": "application/json" } });
            await sleep("10ms");
            return { status: response.status, ok: response.ok, hit: response.headers.get("x-hit"), body: await response.json() };
          }
        `,
      });
      const run = await runtime.start("workflow//workflows/call.ts//call", [url]);
      await expect(run.returnValue).resolves.toEqual({
        status: 201,
        ok: true,
        hit: "1",
        body: { method: "POST", got: { id: 7 } },
      });
      expect(hits).toBe(1);
      const steps = (await run.events())
        .filter((e) => e.type === "step_completed")
        .map((e) => (e.data as { stepId: string }).stepId);
      expect(steps).toEqual(["step//hookline//fetch"]);
    } finally {
      server.close();
    }
  });
});

describe("healthCheck", () => {
  test("reports a runtime whose world answers as healthy, and one whose world fails as not, naming why", async () => {
    const runtime = await runtimeFor({
      "workflows/noop.ts": `export async function noop() { "use workflow"; return 1; }`,
    });
    const healthy = await healthCheck(await getWorld(), "workflow", { timeout: 5000 });
    expect(healthy).toMatchObject({ healthy: true, endpoint: "workflow" });
    expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);
    runtime.world.listRuns = async () => {
      throw new Error("database unreachable");
    };
    await expect(healthCheck(undefined, "step")).resolves.toMatchObject({
      healthy: false,
      endpoint: "step",
      error: "database unreachable",
    });
  });
});

describe("stack traces", () => {
  test("a step's error names the step function as written, called without a receiver, even when a minifier renamed it", async () => {
    const runtime = await runtimeFor({
      "workflows/stack.ts": `
        import { FatalError } from "hookline";
        export async function stack() { "use workflow"; await chargeCard(); }
        async function chargeCard() { "use step"; throw new FatalError("declined"); }
      `,
    });
    const run = await runtime.start("workflow//workflows/stack.ts//stack", []);
    const error = (await run.returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
    expect(error.cause.stack).toMatch(/\n\s+at chargeCard \(.*workflows\/stack\.ts:\d+:\d+\)/);
  });

  test("a workflow's error names only the user's frames: the runtime's, in the bundle and on the host, are left out", async () => {
    const runtime = await runtimeFor({
      "workflows/reject.ts": `
        import { sleep } from "hookline";
        class OrderRejected extends Error {}
        function checkOrder(id: string) { throw new OrderRejected("rejected " + id); }
        export async function reject(id: string) { "use workflow"; checkOrder(id); }
        export async function rejectLater(id: string) { "use workflow"; await sleep("1ms"); checkOrder(id); }
      `,
    });
    for (const [workflow, frame] of [
      ["reject", "at reject"],
      ["rejectLater", "at (?:async )?rejectLater"],
    ] as const) {
      const run = await runtime.start(`workflow//workflows/reject.ts//${workflow}`, ["o-1"]);
      const error = (await run.returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
      const frames = error.cause.stack!.split("\n").slice(1);
      expect(frames).toEqual([
        expect.stringMatching(/^\s+at checkOrder \(.*workflows\/reject\.ts:4:\d+\)$/),
        expect.stringMatching(new RegExp(`^\\s+${frame} \\(.*workflows/reject\\.ts:\\d+:\\d+\\)$`)),
      ]);
    }
  });
});

describe("names in the workflow bundle", () => {
  test("two workflow files declaring the same names keep them: classes and frames read as the source, not as the bundler renamed them", async () => {
    const file = (label: string) => `
      class OrderRejected extends Error {
        constructor(message: string) { super(message); this.name = new.target.name; }
      }
      function checkOrder(id: string) { throw new OrderRejected("${label} rejected " + id); }
      export async function ${label}(id: string) { "use workflow"; checkOrder(id); }
    `;
    const runtime = await runtimeFor({ "workflows/first.ts": file("first"), "workflows/second.ts": file("second") });
    for (const label of ["first", "second"]) {
      const run = await runtime.start(`workflow//workflows/${label}.ts//${label}`, ["o-1"]);
      const error = (await run.returnValue.catch((e: unknown) => e)) as WorkflowRunFailedError;
      expect(error.cause.name).toBe("OrderRejected");
      expect(error.cause.stack).toMatch(
        new RegExp(`^OrderRejected: ${label} rejected o-1\\n\\s+at checkOrder \\(workflows/${label}\\.ts:5:`),
      );
    }
  });
});

describe("this in steps", () => {
  test("a static-method step and an object-literal method step run with their owner as this", async () => {
    const runtime = await runtimeFor({
      "workflows/pricing.ts": `
        export class Pricing {
          static rate = 2;
          static async total(amount: number) { "use step"; return amount * this.rate; }
        }
        export const cart = {
          items: [] as string[],
          async add(item: string) { "use step"; this.items.push(item); return this.items.length; },
        };
        export async function checkout() {
          "use workflow";
          const count = await cart.add("book");
          return { count, total: await Pricing.total(21) };
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/pricing.ts//checkout", []);
    await expect(run.returnValue).resolves.toEqual({ count: 1, total: 42 });
  });
});
