/**
 * Workflow SDK code running unchanged under `next build && next start` (issue 11): the
 * workflows in workflows/compat*.ts (and one under a dot-folder, app/.well-known/agent/) are
 * written as the SDK's documentation writes them, only the imports changed; the routes in
 * app/api/compat use hookline/api as SDK server code uses workflow/api.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_DIR, eventually, type NextServer, startNext } from "./support/next-server";
import { productionBuild } from "./support/production-build";
import { expectReadableStacks } from "./support/stacks";

const SECRET = "example-test-secret-0123456789abcdef0123456789abcdef";
const ENV = { HOOKLINE_SECRET: SECRET };

let server: NextServer;

beforeAll(async () => {
  await productionBuild({ env: ENV });
  server = await startNext("start", { env: ENV });
});

afterAll(async () => {
  await server?.stop();
});

async function startRun(workflow: string, args: unknown[] = []): Promise<string> {
  const response = await fetch(`${server.url}/api/compat`, {
    method: "POST",
    body: JSON.stringify({ workflow, args }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { runId: string }).runId;
}

/** What `await run.returnValue` gave the route: { result } or the error's SDK shape. */
async function outcome(runId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/compat/${runId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function hook(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/compat/hooks/${encodeURIComponent(token)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function resume(token: string, payload: unknown): Promise<number> {
  const response = await fetch(`${server.url}/api/compat/hooks/${encodeURIComponent(token)}`, {
    method: "POST",
    body: JSON.stringify(payload),
  });
  return response.status;
}

describe("Workflow SDK code under next start", () => {
  it("getHookByToken gives the hook's run and metadata; an unknown or ended token is HookNotFoundError", async () => {
    const runId = await startRun("approvalByToken", ["d-1"]);
    const found = await eventually(
      async () => {
        const answer = await hook("document:d-1");
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
      "the hook",
    );
    expect(found).toMatchObject({ runId, metadata: { documentId: "d-1", reviewer: "ann" } });
    expect((await hook("document:nope")).status).toBe(404);
    expect(await resume("document:d-1", { approved: true })).toBe(200);
    expect(await outcome(runId)).toEqual({ result: { documentId: "d-1", approved: true } });
    expect((await hook("document:d-1")).status).toBe(404);
  });

  it("a failed run's returnValue rejects with WorkflowRunFailedError whose cause is the workflow's own error; a cancelled one with WorkflowRunCancelledError", async () => {
    const failed = await startRun("chargeDeclined", ["o-9"]);
    expect(await outcome(failed)).toMatchObject({
      failed: {
        name: "WorkflowRunFailedError",
        runId: failed,
        errorCode: "USER_ERROR",
        cause: { name: "CardDeclinedError", message: "card declined for o-9", code: "HOOKLINE_FATAL" },
      },
    });
    const waiting = await startRun("waitsForever");
    await eventually(
      async () => {
        const response = await fetch(`${server.url}/api/lab/runs/${waiting}`);
        return ((await response.json()) as { status: string }).status === "running" || undefined;
      },
      30_000,
      "the run to start",
    );
    expect((await fetch(`${server.url}/api/compat/${waiting}`, { method: "DELETE" })).status).toBe(204);
    expect(await outcome(waiting)).toEqual({ cancelled: { name: "WorkflowRunCancelledError", runId: waiting } });
  });

  it("errors name the user's files, lines and functions, in the workflow and in steps, after next build", async () => {
    const stackOf = async (workflow: string) => {
      const { failed } = (await outcome(await startRun(workflow, ["o-3"]))) as { failed: { cause: { stack: string } } };
      return failed.cause.stack;
    };
    const workflowStack = await stackOf("throwsWithStack");
    expect(workflowStack).toMatch(/at validateOrder \(.*workflows\/compat\.ts:\d+:\d+\)/);
    expect(workflowStack).toMatch(/at throwsWithStack \(.*workflows\/compat\.ts:\d+:\d+\)/);
    expect(workflowStack).not.toMatch(/hookline-workflows\.js/);
    const stepStack = await stackOf("stepThrows");
    expect(stepStack).toMatch(/at failingStep \(.*workflows\/compat\.ts:\d+:\d+\)/);
    expect(stepStack).not.toMatch(/\.next[\\/]/);
    // The lines are the source's, though the step file reached the server bundle compiled.
    const source = (await readFile(join(APP_DIR, "workflows", "compat.ts"), "utf8")).split("\n");
    const lineOf = (text: string) => source.findIndex((line) => line.includes(text)) + 1;
    expect(workflowStack).toContain(`workflows/compat.ts:${lineOf("is invalid")}:`);
    expect(stepStack).toContain(`workflows/compat.ts:${lineOf("step refused")}:`);
  });

  it("a failing step's and workflow's errors read as the source: helpers' and classes' own names, files relative to the app", async () => {
    await expectReadableStacks(server.url, server);
  });

  it("`using hook = createHook()` disposes the hook at the end of its block (Node 20)", async () => {
    const runId = await startRun("scopedHook", ["s-1"]);
    const first = await eventually(
      async () => {
        const answer = await hook("scoped:s-1");
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
      "the scoped hook",
    );
    expect(await resume("scoped:s-1", "one")).toBe(200);
    await eventually(
      async () => {
        const answer = await hook("scoped:s-1");
        return answer.status === 200 && answer.body.hookId !== first.hookId ? true : undefined;
      },
      30_000,
      "the second hook with the same token",
    );
    expect(await resume("scoped:s-1", "two")).toBe(200);
    expect(await outcome(runId)).toEqual({ result: ["one", "two"] });
  });

  it("fetch from hookline is a step callable in the workflow", async () => {
    const runId = await startRun("fetchInWorkflow", [`${server.url}/api/lab/ping`]);
    expect(await outcome(runId)).toEqual({ result: { status: 202, ok: true } });
  });

  it("a first sleep lasts its duration; getStepMetadata().stepStartedAt is the first attempt's start", async () => {
    const before = Date.now();
    const slept = await startRun("timedSleep");
    const { result } = (await outcome(slept)) as { result: { calledAt: number; wokeAt: number } };
    expect(result.calledAt).toBeGreaterThanOrEqual(before);
    expect(result.wokeAt - result.calledAt).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - before).toBeGreaterThanOrEqual(2000);
    const retried = await startRun("retriedStep");
    const { result: metadata } = (await outcome(retried)) as { result: { attempt: number; waitedMs: number } };
    expect(metadata.attempt).toBe(2);
    expect(metadata.waitedMs).toBeGreaterThanOrEqual(1000);
  });

  it("a class with WORKFLOW_SERIALIZE / WORKFLOW_DESERIALIZE crosses workflow and step", async () => {
    const runId = await startRun("addFee", [100]);
    expect(await outcome(runId)).toEqual({ result: { isMoney: true, total: 130 } });
  });

  it("a static-method step uses this (its class)", async () => {
    const runId = await startRun("pricedOrder", [1000]);
    expect(await outcome(runId)).toEqual({ result: 1200 });
  });

  it("a step function passed to another step (also one closing over workflow variables) runs inside that step", async () => {
    const runId = await startRun("stepAsArgument", [5, 3]);
    expect(await outcome(runId)).toEqual({
      result: { doubled: { value: 20, ranAs: "applyTwice" }, scaled: { value: 45, ranAs: "applyTwice" } },
    });
  });

  it("a step function passed to start(), from server code or to a child run with its closure, is a durable step there", async () => {
    const fromServer = await startRun("callsPassedStep", [21]);
    expect(await outcome(fromServer)).toEqual({ result: { value: 42, ranAs: "double" } });
    const child = await startRun("startsChildWithStep", [4, 10]);
    expect(await outcome(child)).toEqual({ result: { value: 40, ranAs: "startsChildWithStep/scale" } });
  });

  it("instance-method steps run with their instance as this when its class is serializable", async () => {
    const runId = await startRun("instanceSteps", [[2, 3]]);
    expect(await outcome(runId)).toEqual({ result: { isCart: true, items: [2, 3, 10], total: 14 } });
  });

  it("the SDK's instance-method example runs unchanged: a class with the symbols needs no registration call", async () => {
    const response = await fetch(`${server.url}/api/compat/classes`, {
      method: "POST",
      body: JSON.stringify({ args: [5] }),
    });
    const { runId } = (await response.json()) as { runId: string };
    expect(await outcome(runId)).toEqual({
      result: { initialValue: 5, added: 15, description: { label: "test counter", value: 5 }, added2: 150 },
    });
  });

  it("a class with the symbols in a plain shared file (no directive, no registration call) crosses start, step and result, its methods working on each side", async () => {
    const response = await fetch(`${server.url}/api/compat/models`, {
      method: "POST",
      body: JSON.stringify({ cents: 1000 }),
    });
    expect(response.status).toBe(200);
    const { runId } = (await response.json()) as { runId: string };
    const result = await fetch(`${server.url}/api/compat/models?runId=${runId}`);
    expect(result.status).toBe(200);
    expect(await result.json()).toEqual({
      formatted: "12.00 EUR",
      isMoney: true,
      onServer: { isMoney: true, doubled: "24.00 EUR" },
    });
  });

  it("an instance-method step whose this cannot be serialized fails the run, naming the class", async () => {
    const runId = await startRun("unserializableThis", [[1, 2]]);
    const { failed } = (await outcome(runId)) as { failed: { cause: { name: string; message: string } } };
    expect(failed.cause.name).toBe("SerializationError");
    expect(failed.cause.message).toMatch(
      /"Ledger#balance".*a Ledger class instance is not serializable.*registerSerializableClass/,
    );
  });

  it("a workflow under a dot-folder (app/.well-known/agent/) is in the build", async () => {
    const runId = await startRun("agentTask", ["the survey"]);
    expect(await outcome(runId)).toEqual({ result: "agent did the survey" });
  });

  it("the flow and step routes answer the health probe ?__health with 200 OK; a plain GET is 405", async () => {
    for (const endpoint of ["flow", "step"]) {
      const response = await fetch(`${server.url}/.well-known/workflow/v1/${endpoint}?__health`);
      expect(response.status, endpoint).toBe(200);
      expect(await response.text()).toBe("OK");
    }
    expect((await fetch(`${server.url}/.well-known/workflow/v1/flow`)).status).toBe(405);
  });
});
