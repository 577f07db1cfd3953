import { describe, expect, test } from "vitest";
import { hashToken } from "../src/host/tokens.js";
import {
  HookConflictError,
  HookNotFoundError,
  HookPayloadError,
  HookTimeoutError,
  InvalidArgumentError,
} from "../src/shared/errors.js";
import type { HookDefinition } from "../src/shared/public-types.js";
import { compileApp } from "./support/app.js";
import { runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

const pendingHook = async (runtime: Awaited<ReturnType<typeof runtimeFor>>, runId: string) =>
  waitFor("an active hook", async () => (await runtime.world.listHooks({ runId, status: "active" }))[0]);

describe("hooks", () => {
  test("createHook with a chosen token is resumed from server code", async () => {
    const runtime = await runtimeFor({
      "workflows/upload.ts": `
        import { createHook } from "hookline";
        export async function upload(id: string) {
          "use workflow";
          const hook = createHook<{ url: string }>({ token: "upload:" + id, metadata: { id } });
          const { url } = await hook;
          return "imported " + url;
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/upload.ts//upload", ["42"]);
    const hook = await pendingHook(runtime, run.runId);
    expect(hook.tokenHash).toBe(hashToken("upload:42"));
    await expect(runtime.resumeHook("upload:42", { url: "s3://bucket/42.csv" })).resolves.toEqual({ runId: run.runId });
    await expect(run.returnValue).resolves.toBe("imported s3://bucket/42.csv");
    // The run is over, so is its hook.
    await expect(runtime.resumeHook("upload:42", { url: "late" })).rejects.toSatisfy(HookNotFoundError.is);
  });

  test("payloads arriving while the workflow is busy are buffered in order; iteration sees each", async () => {
    const runtime = await runtimeFor({
      "workflows/collect.ts": `
        import { createHook } from "hookline";
        export async function collect() {
          "use workflow";
          const hook = createHook<number>({ token: "collect" });
          await gate();
          const seen: number[] = [];
          for await (const n of hook) { seen.push(n); if (n < 0) break; }
          return seen;
        }
        async function gate() { "use step"; await new Promise((r) => setTimeout(r, 100)); }
      `,
    });
    const run = await runtime.start("workflow//workflows/collect.ts//collect", []);
    await pendingHook(runtime, run.runId);
    for (const n of [1, 2, 3, -1]) await runtime.resumeHook("collect", n);
    await expect(run.returnValue).resolves.toEqual([1, 2, 3, -1]);
  });

  test("rejectHook makes the awaiting code throw the given error", async () => {
    const runtime = await runtimeFor({
      "workflows/verify.ts": `
        import { createHook } from "hookline";
        export async function verify() {
          "use workflow";
          try { await createHook({ token: "verify" }); return "ok"; }
          catch (e) { return "failed: " + (e as Error).message; }
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/verify.ts//verify", []);
    await pendingHook(runtime, run.runId);
    await runtime.rejectHook("verify", new Error("document unreadable"));
    await expect(run.returnValue).resolves.toBe("failed: document unreadable");
  });

  test("a timeout throws HookTimeoutError, and the token stops accepting payloads", async () => {
    const runtime = await runtimeFor({
      "workflows/deadline.ts": `
        import { createHook, HookTimeoutError } from "hookline";
        export async function deadline() {
          "use workflow";
          try { await createHook({ token: "deadline", timeout: "150ms" }); return "answered"; }
          catch (e) { return HookTimeoutError.is(e) ? "timed out" : "other: " + (e as Error).message; }
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/deadline.ts//deadline", []);
    await expect(run.returnValue).resolves.toBe("timed out");
    await expect(runtime.resumeHook("deadline", 1)).rejects.toSatisfy(HookNotFoundError.is);
    expect(HookTimeoutError.name).toBe("HookTimeoutError");
  });

  test("dispose ends the hook: iteration finishes and resumeHook fails", async () => {
    const runtime = await runtimeFor({
      "workflows/disposal.ts": `
        import { createHook } from "hookline";
        export async function disposal() {
          "use workflow";
          const hook = createHook<string>({ token: "disposal" });
          const first = await hook;
          hook.dispose();
          const rest: string[] = [];
          for await (const x of hook) rest.push(x);
          await settle();
          return { first, rest };
        }
        async function settle() { "use step"; await new Promise((r) => setTimeout(r, 200)); }
      `,
    });
    const run = await runtime.start("workflow//workflows/disposal.ts//disposal", []);
    await pendingHook(runtime, run.runId);
    await runtime.resumeHook("disposal", "a");
    await waitFor(
      "the hook to end",
      async () => (await runtime.world.getHook(hashToken("disposal")))?.status === "ended",
    );
    await expect(runtime.resumeHook("disposal", "b")).rejects.toSatisfy(HookNotFoundError.is);
    await expect(run.returnValue).resolves.toEqual({ first: "a", rest: [] });
  });

  test("a second active wait on the same token gets HookConflictError naming the holder; the token is reusable after", async () => {
    const app = {
      "workflows/claim.ts": `
        import { createHook, HookConflictError } from "hookline";
        export async function claim() {
          "use workflow";
          try { return "got " + (await createHook<string>({ token: "shared" })); }
          catch (e) { return HookConflictError.is(e) ? "conflict: " + (e as Error).message : "other"; }
        }
      `,
    };
    const runtime = await runtimeFor(app);
    const first = await runtime.start("workflow//workflows/claim.ts//claim", []);
    await pendingHook(runtime, first.runId);
    const second = await runtime.start("workflow//workflows/claim.ts//claim", []);
    const conflict = (await second.returnValue) as string;
    expect(conflict).toContain("conflict:");
    expect(conflict).toContain(first.runId);
    await runtime.resumeHook("shared", "x");
    await expect(first.returnValue).resolves.toBe("got x");
    const third = await runtime.start("workflow//workflows/claim.ts//claim", []);
    await pendingHook(runtime, third.runId);
    await runtime.resumeHook("shared", "y");
    await expect(third.returnValue).resolves.toBe("got y");
    expect(HookConflictError.name).toBe("HookConflictError");
  });

  test("defineHook validates payloads against its schema; an invalid payload never reaches the run", async () => {
    const app = await compileApp({
      "workflows/approval.ts": `
        import { defineHook } from "hookline";
        export const approval = defineHook<{ approved: boolean }>({
          schema: {
            "~standard": {
              version: 1,
              vendor: "test",
              validate: (v: any) => typeof v?.approved === "boolean" ? { value: v } : { issues: [{ message: "expected a boolean", path: ["approved"] }] },
            },
          },
        });
        export async function review(id: string) {
          "use workflow";
          const { approved } = await approval.create({ token: "review:" + id });
          return approved ? "approved" : "rejected";
        }
      `,
    });
    const runtime = await runtimeFor(app);
    const approval = app.modules["workflows/approval.ts"]!.approval as HookDefinition<{ approved: unknown }>;
    const run = await runtime.start("workflow//workflows/approval.ts//review", ["7"]);
    await pendingHook(runtime, run.runId);
    const error = await approval.resume("review:7", { approved: "yes" }).catch((e: unknown) => e);
    expect(HookPayloadError.is(error)).toBe(true);
    expect((error as HookPayloadError).issues).toEqual([{ message: "expected a boolean", path: ["approved"] }]);
    expect((error as Error).message).toContain("approved: expected a boolean");
    expect((await runtime.world.readEvents(run.runId)).some((e) => e.type === "hook_received")).toBe(false);
    await approval.resume("review:7", { approved: true });
    await expect(run.returnValue).resolves.toBe("approved");
  });

  test("defineHook({ id }) records its id with each hook; a payload resumed by token or to the hook record must pass its schema", async () => {
    const app = await compileApp({
      "workflows/refund.ts": `
        import { defineHook } from "hookline";
        export const refundDecision = defineHook<{ approved: boolean; by: string }>({
          id: "refund-decision",
          schema: {
            "~standard": {
              version: 1,
              vendor: "test",
              validate: (v: any) => {
                const issues = [];
                if (typeof v?.approved !== "boolean") issues.push({ message: "expected a boolean", path: ["approved"] });
                if (typeof v?.by !== "string") issues.push({ message: "expected a string", path: [{ key: "by" }] });
                return issues.length ? { issues } : { value: { ...v, checked: true } };
              },
            },
          },
        });
        export async function refund(id: string) {
          "use workflow";
          return await refundDecision.create({ token: "refund:" + id });
        }
      `,
    });
    const runtime = await runtimeFor(app);
    const run = await runtime.start("workflow//workflows/refund.ts//refund", ["9"]);
    const hook = await pendingHook(runtime, run.runId);
    const created = (await runtime.world.readEvents(run.runId)).find((e) => e.type === "hook_created");
    expect(created?.data).toMatchObject({ definition: "refund-decision" });

    const byToken = await runtime.resumeHook("refund:9", { approved: "yes" }).catch((e: unknown) => e);
    expect(HookPayloadError.is(byToken)).toBe(true);
    expect((byToken as Error).message).toBe(
      'The payload does not match the schema of hook definition "refund-decision": approved: expected a boolean; by: expected a string',
    );
    const byRecord = await runtime.deliver(hook, { approved: true }).catch((e: unknown) => e);
    expect((byRecord as Error).message).toContain("by: expected a string");
    expect((await runtime.world.readEvents(run.runId)).some((e) => e.type === "hook_received")).toBe(false);
    expect((await runtime.world.getRun(run.runId))?.status).toBe("running");

    await runtime.deliver(hook, { approved: true, by: "ines" });
    // What the run gets is the schema's output.
    await expect(run.returnValue).resolves.toEqual({ approved: true, by: "ines", checked: true });
  });

  test("Promise.race over a hook and a sleep is decided by whichever is recorded first", async () => {
    const runtime = await runtimeFor({
      "workflows/race.ts": `
        import { createHook, sleep } from "hookline";
        export async function race(id: string, wait: number) {
          "use workflow";
          const answer = createHook<string>({ token: "race:" + id });
          return Promise.race([answer, sleep(wait).then(() => "slept")]);
        }
        export async function until(at: number) {
          "use workflow";
          await sleep(new Date(at));
          return Date.now() >= at;
        }
      `,
    });
    const answered = await runtime.start("workflow//workflows/race.ts//race", ["a", 60_000]);
    await pendingHook(runtime, answered.runId);
    await runtime.resumeHook("race:a", "answered");
    await expect(answered.returnValue).resolves.toBe("answered");
    const slept = await runtime.start("workflow//workflows/race.ts//race", ["b", 100]);
    await expect(slept.returnValue).resolves.toBe("slept");
    const dated = await runtime.start("workflow//workflows/race.ts//until", [Date.now() + 150]);
    await expect(dated.returnValue).resolves.toBe(true);
  });

  test("resumeHook: unknown token, webhook token and unserializable payload are clear errors", async () => {
    const runtime = await runtimeFor({
      "workflows/wait.ts": `
        import { createHook } from "hookline";
        export async function wait() { "use workflow"; return await createHook({ token: "wait" }); }
      `,
    });
    await expect(runtime.resumeHook("nobody", 1)).rejects.toSatisfy(HookNotFoundError.is);
    await expect(runtime.resumeHook("", 1)).rejects.toSatisfy(InvalidArgumentError.is);
    const run = await runtime.start("workflow//workflows/wait.ts//wait", []);
    await pendingHook(runtime, run.runId);
    const error = await runtime.resumeHook("wait", { socket: () => 1 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("payload.socket");
    const events = await runtime.world.readEvents(run.runId);
    expect(events.some((e) => e.type === "hook_received")).toBe(false);
  });
});
