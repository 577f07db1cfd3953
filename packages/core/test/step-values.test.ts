/**
 * Step functions as values and instance-method steps (issue 11, items 4 and 5), on the real
 * runtime: a step function crosses serialization as a reference to its step (with the workflow
 * variables a nested step uses); received in a workflow, calling it is a durable step; received
 * in a step or server code, calling it runs the step's body there.
 */
import { describe, expect, test } from "vitest";
import { SerializationError } from "../src/shared/errors.js";
import "../src/host/step-values.js";
import { deserialize, serialize } from "../src/shared/serialization/index.js";
import { markStepFunction } from "../src/shared/step-ref.js";
import { compileApp } from "./support/app.js";
import { runtimeFor } from "./support/runtimes.js";

const VALUES = `
  import { start } from "hookline/api";
  export async function double(n: number) { "use step"; return n * 2; }
  async function applyTwice(fn: (n: number) => Promise<number>, n: number) { "use step"; return fn(await fn(n)); }
  export async function compose(n: number, factor: number) {
    "use workflow";
    const scale = async (x: number) => { "use step"; return x * factor; };
    return [await applyTwice(double, n), await applyTwice(scale, n)];
  }
  export async function callIt(fn: (n: number) => Promise<number>, n: number) {
    "use workflow";
    return (await fn(n)) + 1;
  }
  export async function startsChild(n: number, factor: number) {
    "use workflow";
    const scale = async (x: number) => { "use step"; return x * factor; };
    const child = await start(callIt, [scale, n]);
    return await child.returnValue;
  }
`;

const stepIds = async (run: { events(): Promise<{ type: string; data: unknown }[]> }) =>
  (await run.events())
    .filter((e) => e.type === "step_started")
    .map((e) => (e.data as { stepId: string }).stepId.split("//").pop());

describe("step functions as values", () => {
  test("passed to a step, a step function (also one closing over workflow variables) runs inside that step", async () => {
    const runtime = await runtimeFor({ "workflows/values.ts": VALUES });
    const run = await runtime.start("workflow//workflows/values.ts//compose", [5, 3]);
    await expect(run.returnValue).resolves.toEqual([20, 45]);
    // Called in a step, the passed function is part of that step: no step of its own.
    expect(await stepIds(run)).toEqual(["applyTwice", "applyTwice"]);
  });

  test("passed to start() from server code, it is a durable step of the run that calls it", async () => {
    const app = await compileApp({ "workflows/values.ts": VALUES });
    const runtime = await runtimeFor(app);
    const double = app.modules["workflows/values.ts"]?.double;
    const run = await runtime.start("workflow//workflows/values.ts//callIt", [double, 20]);
    await expect(run.returnValue).resolves.toBe(41);
    expect(await stepIds(run)).toEqual(["double"]);
  });

  test("passed to start() of a child run in a workflow, it carries the workflow variables it closes over", async () => {
    const runtime = await runtimeFor({ "workflows/values.ts": VALUES });
    const run = await runtime.start("workflow//workflows/values.ts//startsChild", [4, 10]);
    await expect(run.returnValue).resolves.toBe(41);
  });

  test("a plain function is still refused, and a closure that cannot be serialized is named by its step", () => {
    expect(() => serialize([() => 1], "args")).toThrow(/Cannot serialize args\[0\]: a function is not serializable/);
    class Socket {}
    const inner = markStepFunction(
      async () => 1,
      "step//w.ts//wf/inner",
      () => ({ socket: new Socket() }),
    );
    expect(() => serialize([inner], "args")).toThrow(
      /Cannot serialize args\[0\]\.<closure of wf\/inner>\.socket: a Socket class instance/,
    );
    const scale = markStepFunction(
      async () => 1,
      "step//w.ts//wf/scale",
      () => ({ factor: 3, at: new Date(5) }),
    );
    expect(serialize({ scale }, "args")).toEqual({
      scale: { $t: "Step", id: "step//w.ts//wf/scale", c: { factor: 3, at: { $t: "Date", v: 5 } } },
    });
  });

  test("a received reference to a step this process does not have fails when called, naming it", async () => {
    const revived = deserialize({ $t: "Step", id: "step//gone.ts//removed" }) as () => Promise<unknown>;
    await expect(revived()).rejects.toThrow(
      /The step function "removed" \(step\/\/gone\.ts\/\/removed\) was passed here, but it is not registered/,
    );
  });
});

describe("instance-method steps", () => {
  const CART = (register: boolean) => `
    import { registerSerializableClass, WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";
    export class Cart {
      constructor(readonly items: number[]) {}
      static [WORKFLOW_SERIALIZE](cart: Cart) { return { items: cart.items }; }
      static [WORKFLOW_DESERIALIZE](data: { items: number[] }) { return new Cart(data.items); }
      async total(discount: number) { "use step"; return this.items.reduce((a, b) => a + b, 0) - discount; }
      async add(item: number) { "use step"; return new Cart([...this.items, item]); }
    }
    ${register ? 'registerSerializableClass("test.Cart", Cart);' : ""}
    export async function checkout(items: number[]) {
      "use workflow";
      const cart = await new Cart(items).add(10);
      return { isCart: cart instanceof Cart, total: await cart.total(1) };
    }
  `;

  test("run with the instance they were called on, when its class is registered", async () => {
    const runtime = await runtimeFor({ "workflows/cart.ts": CART(true) });
    const run = await runtime.start("workflow//workflows/cart.ts//checkout", [[2, 3]]);
    await expect(run.returnValue).resolves.toEqual({ isCart: true, total: 14 });
    expect(await stepIds(run)).toEqual(["Cart#add", "Cart#total"]);
    // Its own registration name is the one recorded.
    const added = (await run.events()).find((e) => e.type === "step_completed");
    expect(JSON.stringify(added?.data)).toContain('"name":"test.Cart"');
  });

  test("a class with the SDK's symbols and no registration call is registered by the compiler, as in the SDK", async () => {
    const runtime = await runtimeFor({ "workflows/cart.ts": CART(false) });
    const run = await runtime.start("workflow//workflows/cart.ts//checkout", [[2, 3]]);
    await expect(run.returnValue).resolves.toEqual({ isCart: true, total: 14 });
    const added = (await run.events()).find((e) => e.type === "step_completed");
    expect(JSON.stringify(added?.data)).toContain('"name":"class//workflows/cart.ts//Cart"');
  });

  test("fail the run with an error naming the class when this cannot be serialized", async () => {
    const runtime = await runtimeFor({
      "workflows/ledger.ts": `
        export class Ledger {
          constructor(readonly entries: number[]) {}
          async balance() { "use step"; return this.entries.reduce((a, b) => a + b, 0); }
        }
        export async function audit(entries: number[]) { "use workflow"; return new Ledger(entries).balance(); }
      `,
    });
    const run = await runtime.start("workflow//workflows/ledger.ts//audit", [[2, 3]]);
    const error = (await run.returnValue.catch((e: unknown) => e)) as { cause: Error };
    expect(SerializationError.is(error.cause)).toBe(true);
    expect(error.cause.message).toMatch(
      /instance-method step "Ledger#balance".*Cannot serialize this: a Ledger class instance is not serializable/,
    );
  });
});
