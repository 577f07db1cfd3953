import { describe, expect, test } from "vitest";
import { FatalError } from "../src/shared/errors.js";
import { runtimeFor } from "./support/runtimes.js";

describe("steps", () => {
  test("a workflow calls steps in order and returns their results", async () => {
    const runtime = await runtimeFor({
      "workflows/order.ts": `
        export async function order(id: string) {
          "use workflow";
          const a = await double(2);
          const b = await greet(id);
          return { a, b };
        }
        async function double(n: number) { "use step"; return n * 2; }
        async function greet(name: string) { "use step"; return "hello " + name; }
      `,
    });
    const run = await runtime.start("workflow//workflows/order.ts//order", ["ann"]);
    await expect(run.returnValue).resolves.toEqual({ a: 4, b: "hello ann" });
    expect(await run.status).toBe("completed");
  });

  test("a step imported from another file runs on the host with full Node.js", async () => {
    const runtime = await runtimeFor({
      "lib/steps.ts": `
        import { createHash } from "node:crypto";
        export async function digest(text: string) { "use step"; return createHash("sha256").update(text).digest("hex").slice(0, 8); }
      `,
      "workflows/hash.ts": `
        import { digest } from "../lib/steps";
        export async function hash(text: string) { "use workflow"; return digest(text); }
      `,
    });
    const run = await runtime.start("workflow//workflows/hash.ts//hash", ["abc"]);
    await expect(run.returnValue).resolves.toBe("ba7816bf");
  });

  test("values that JSON cannot carry survive steps and the return value", async () => {
    const runtime = await runtimeFor({
      "workflows/types.ts": `
        export async function types() {
          "use workflow";
          const out = await echo({ when: new Date(5), tags: new Set(["a"]), big: 10n, map: new Map([[1, "one"]]), nothing: undefined });
          return out;
        }
        async function echo(v: unknown) { "use step"; return v; }
      `,
    });
    const run = await runtime.start("workflow//workflows/types.ts//types", []);
    const value = (await run.returnValue) as Record<string, unknown>;
    expect(value.when).toEqual(new Date(5));
    expect(value.tags).toEqual(new Set(["a"]));
    expect(value.big).toBe(10n);
    expect(value.map).toEqual(new Map([[1, "one"]]));
    expect(Object.hasOwn(value, "nothing")).toBe(true);
  });

  test("Promise.all, race, any and allSettled over steps", async () => {
    const runtime = await runtimeFor({
      "workflows/par.ts": `
        import { FatalError } from "hookline";
        export async function par() {
          "use workflow";
          const all = await Promise.all([slow(30, "a"), slow(1, "b"), slow(10, "c")]);
          const race = await Promise.race([slow(40, "slow"), slow(1, "fast")]);
          const any = await Promise.any([fail("x"), slow(5, "ok")]);
          const settled = await Promise.allSettled([fail("boom"), slow(1, "fine")]);
          return { all, race, any, settled: settled.map((s) => s.status === "fulfilled" ? s.value : s.reason.message) };
        }
        async function slow(ms: number, v: string) { "use step"; await new Promise((r) => setTimeout(r, ms)); return v; }
        async function fail(m: string) { "use step"; throw new FatalError(m); }
      `,
    });
    const run = await runtime.start("workflow//workflows/par.ts//par", []);
    await expect(run.returnValue).resolves.toEqual({
      all: ["a", "b", "c"],
      race: "fast",
      any: "ok",
      settled: ["boom", "fine"],
    });
  });

  test("a failing step is retried with backoff, then its result is recorded once", async () => {
    const runtime = await runtimeFor({
      "workflows/flaky.ts": `
        import { getStepMetadata } from "hookline";
        const seen: unknown[] = (globalThis as any).__flakySeen = [];
        export async function flaky() { "use workflow"; return attempt(); }
        async function attempt() {
          "use step";
          const meta = getStepMetadata();
          seen.push({ attempt: meta.attempt, key: meta.idempotencyKey });
          if (meta.attempt < 3) throw new Error("transient " + meta.attempt);
          return "ok on " + meta.attempt;
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/flaky.ts//flaky", []);
    await expect(run.returnValue).resolves.toBe("ok on 3");
    const seen = (globalThis as Record<string, unknown>).__flakySeen as { attempt: number; key: string }[];
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    const events = await runtime.world.readEvents(run.runId);
    expect(
      events.filter((e) => e.type === "step_failed").map((e) => "retryAt" in e.data && e.data.retryAt !== undefined),
    ).toEqual([true, true]);
    expect(events.filter((e) => e.type === "step_completed")).toHaveLength(1);
  });

  test("maxRetries (default 3) bounds the attempts; the workflow sees the last error", async () => {
    const runtime = await runtimeFor({
      "workflows/bound.ts": `
        export async function bound() {
          "use workflow";
          const results: string[] = [];
          try { await always(); } catch (e) { results.push("default: " + (e as Error).message); }
          try { await once(); } catch (e) { results.push("custom: " + (e as Error).message); }
          return results;
        }
        let a = 0; let b = 0;
        async function always() { "use step"; a += 1; throw new Error("attempt " + a); }
        async function once() { "use step"; b += 1; throw new Error("attempt " + b); }
        once.maxRetries = 1;
      `,
    });
    const run = await runtime.start("workflow//workflows/bound.ts//bound", []);
    await expect(run.returnValue).resolves.toEqual(["default: attempt 4", "custom: attempt 2"]);
  });

  test("FatalError fails a step at once; RetryableError sets the delay", async () => {
    const runtime = await runtimeFor({
      "workflows/errors.ts": `
        import { FatalError, RetryableError } from "hookline";
        export async function errors() {
          "use workflow";
          let fatal = "";
          try { await fatalStep(); } catch (e) { fatal = (e as Error).name + ": " + (e as Error).message + " " + FatalError.is(e); }
          const started = Date.now();
          const r = await retryable();
          return { fatal, r, waited: Date.now() - started };
        }
        let fatalCalls = 0;
        async function fatalStep() { "use step"; fatalCalls += 1; throw new FatalError("card declined " + fatalCalls); }
        let calls = 0;
        async function retryable() { "use step"; calls += 1; if (calls === 1) throw new RetryableError("later", { retryAfter: "200ms" }); return calls; }
      `,
    });
    const run = await runtime.start("workflow//workflows/errors.ts//errors", []);
    const value = (await run.returnValue) as { fatal: string; r: number; waited: number };
    expect(value.fatal).toBe("FatalError: card declined 1 true");
    expect(value.r).toBe(2);
    // Date in the workflow advances with the log: the retry was recorded ≥ 200 ms later.
    expect(value.waited).toBeGreaterThanOrEqual(200);
  });

  test("an uncaught error fails the run with that error", async () => {
    const runtime = await runtimeFor({
      "workflows/boom.ts": `
        import { FatalError } from "hookline";
        export async function boom() { "use workflow"; await nope(); return "unreachable"; }
        async function nope() { "use step"; throw new FatalError("no stock"); }
      `,
    });
    const run = await runtime.start("workflow//workflows/boom.ts//boom", []);
    const error = await run.returnValue.catch((e: { cause: unknown }) => e.cause);
    expect(FatalError.is(error)).toBe(true);
    expect((error as Error).message).toBe("no stock");
    expect(await run.status).toBe("failed");
    expect((await run.error)?.message).toBe("no stock");
  });

  test("a step declared inside a workflow receives the variables it closes over", async () => {
    const runtime = await runtimeFor({
      "workflows/closure.ts": `
        export async function closure(user: string) {
          "use workflow";
          let count = 1;
          async function label(suffix: string) { "use step"; return user + "#" + count + suffix; }
          const first = await label("!");
          count = 2;
          const second = await label("?");
          return [first, second];
        }
      `,
    });
    const run = await runtime.start("workflow//workflows/closure.ts//closure", ["ann"]);
    await expect(run.returnValue).resolves.toEqual(["ann#1!", "ann#2?"]);
  });
});
