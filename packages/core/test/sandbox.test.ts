import { describe, expect, test } from "vitest";
import { ContextError } from "../src/shared/errors.js";
import { runtimeFor } from "./support/runtimes.js";

/** Runs `body` as a workflow and returns what it returned, or the message it failed with. */
async function inWorkflow(body: string): Promise<unknown> {
  const runtime = await runtimeFor({
    "workflows/probe.ts": `export async function probe() { "use workflow"; ${body} }`,
  });
  const run = await runtime.start("workflow//workflows/probe.ts//probe", []);
  return run.returnValue.catch(({ cause: error }: { cause: Error }) => ({
    failed: error.message,
    name: error.name,
    contextError: ContextError.is(error),
  }));
}

describe("the replay sandbox", () => {
  test("fetch, timers and require point to the durable alternative", async () => {
    expect(await inWorkflow(`return (globalThis as any).fetch("https://example.com");`)).toMatchObject({
      failed: expect.stringContaining('"use step"'),
      contextError: true,
    });
    // setTimeout cannot be written in a workflow body (the transform rejects it), so reach it indirectly.
    expect(await inWorkflow(`const g: any = globalThis; return g["set" + "Timeout"](() => {}, 1);`)).toMatchObject({
      failed: expect.stringContaining("sleep("),
    });
    expect(await inWorkflow(`return (globalThis as any).require("fs");`)).toMatchObject({
      failed: expect.stringContaining("require"),
    });
  });

  test("Node's globals are absent and web helpers are present", async () => {
    expect(
      await inWorkflow(`
        const g: any = globalThis;
        return {
          process: typeof g.process, buffer: typeof g.Buffer,
          url: new URL("/a?b=1", "https://x.test").searchParams.get("b"),
          text: new TextDecoder().decode(new TextEncoder().encode("hé")),
          headers: new Headers({ "X-A": "1" }).get("x-a"),
        };
      `),
    ).toEqual({ process: "undefined", buffer: "undefined", url: "1", text: "hé", headers: "1" });
  });

  test("Date follows the log, not the wall clock", async () => {
    const value = (await inWorkflow(
      `return { now: Date.now(), same: new Date().getTime() === Date.now(), called: typeof Date(), parsed: new Date(0).toISOString() };`,
    )) as Record<string, unknown>;
    expect(value.same).toBe(true);
    expect(value.called).toBe("string");
    expect(value.parsed).toBe("1970-01-01T00:00:00.000Z");
    expect(Math.abs((value.now as number) - Date.now())).toBeLessThan(5_000);
  });

  test("user code cannot catch suspension: a try/catch around an await on a pending step does not fire", async () => {
    expect(
      await inWorkflow(`
        let caught = "nothing";
        try { await slow(); } catch (e) { caught = String(e); }
        return caught;
        async function slow() { "use step"; await new Promise((r) => setTimeout(r, 50)); return 1; }
      `),
    ).toBe("nothing");
  });
});

describe("stack traces", () => {
  test("an error thrown in workflow code points at the original file and line", async () => {
    const runtime = await runtimeFor({
      "workflows/fails.ts": [
        "type Order = { id: string };",
        "",
        "export async function fails(order: Order) {",
        '  "use workflow";',
        "  const id: string = order.id;",
        '  throw new Error("no stock for " + id);',
        "}",
      ].join("\n"),
    });
    const run = await runtime.start("workflow//workflows/fails.ts//fails", [{ id: "o-1" }]);
    const error = (await run.returnValue.catch((e: { cause: unknown }) => e.cause)) as Error;
    expect(error.message).toBe("no stock for o-1");
    expect(error.stack).toMatch(/workflows\/fails\.ts:6:\d+/);
    expect(error.stack).not.toContain("workflows.bundle.js");
  });
});
