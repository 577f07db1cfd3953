/**
 * Runs what the transform emits: the step-mode and workflow-mode outputs of the same files are
 * imported against a test double of the runtime, so a workflow really calls its steps through
 * the proxy, by id, with its arguments and closure, as it will under the real runtime.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { load, tempRoot } from "./support/compile.js";
import { double, resetDouble } from "./support/runtime-double.js";

type Fn = (...args: unknown[]) => Promise<unknown>;

beforeEach(() => resetDouble());

const workflow = (id: string) => {
  const fn = double().workflows.get(id);
  if (!fn)
    throw new Error(`workflow ${id} is not registered; registered: ${[...double().workflows.keys()].join(", ")}`);
  return fn as Fn;
};

describe("workflow and step modes together", () => {
  test("workflows register under their ids and call every form of step through the proxy, with their arguments", async () => {
    const root = await tempRoot();
    const files = {
      "app/shop.ts": `
        export async function checkout(orderId: string, cents: number) {
          "use workflow";
          const charged = await charge(orderId, cents);
          const label = await Shipping.label(orderId);
          const mail = await notify.customer(orderId);
          return { charged, label, mail, total: await total([cents, 100]) };
        }
        // Declared after its first use: a declaration must still hoist in workflow mode.
        async function charge(orderId: string, cents: number) { "use step"; return \`\${orderId}:\${cents}\`; }
        export class Shipping { static async label(id: string) { "use step"; return "label-" + id; } }
        const notify = { async customer(id: string) { "use step"; return "mailed " + id; } };
        export const total = async (values: number[]) => { "use step"; return values.reduce((a, b) => a + b, 0); };
      `,
    };
    await load(root, files, "step");
    expect([...double().steps.keys()].sort()).toEqual([
      "step//app/shop.ts//Shipping.label",
      "step//app/shop.ts//charge",
      "step//app/shop.ts//notify.customer",
      "step//app/shop.ts//total",
    ]);
    expect(double().workflows.size).toBe(0);

    await load(root, files, "workflow");
    expect([...double().workflows.keys()]).toEqual(["workflow//app/shop.ts//checkout"]);
    const result = await workflow("workflow//app/shop.ts//checkout")("o1", 250);
    expect(result).toEqual({ charged: "o1:250", label: "label-o1", mail: "mailed o1", total: 350 });
    expect(double().calls).toEqual([
      { id: "step//app/shop.ts//charge", args: ["o1", 250] },
      { id: "step//app/shop.ts//Shipping.label", args: ["o1"] },
      { id: "step//app/shop.ts//notify.customer", args: ["o1"] },
      { id: "step//app/shop.ts//total", args: [[250, 100]] },
    ]);
  });

  test("a step declared in a workflow gets the workflow variables it uses, with their values at each call", async () => {
    const root = await tempRoot();
    const files = {
      "app/ship.ts": `
        export async function fulfil(orderId: string) {
          "use workflow";
          let attempt = 1;
          const unused = "never sent";
          async function ship(carrier: string) {
            "use step";
            return \`\${orderId} via \${carrier}, attempt \${attempt}\`;
          }
          const first = await ship("ups");
          attempt = 2;
          const second = await ship("dhl");
          return [first, second, unused.length];
        }
      `,
    };
    await load(root, files, "step");
    expect(double().steps.get("step//app/ship.ts//fulfil/ship")?.closure).toBe(true);
    await load(root, files, "workflow");
    const result = await workflow("workflow//app/ship.ts//fulfil")("o7");
    expect(result).toEqual(["o7 via ups, attempt 1", "o7 via dhl, attempt 2", 10]);
    expect(double().calls).toEqual([
      { id: "step//app/ship.ts//fulfil/ship", args: ["ups"], closure: { orderId: "o7", attempt: 1 } },
      { id: "step//app/ship.ts//fulfil/ship", args: ["dhl"], closure: { orderId: "o7", attempt: 2 } },
    ]);
  });

  test("an instance-method step runs on the host with the instance it was called on as this", async () => {
    const root = await tempRoot();
    const files = {
      "app/cart.ts": `
        export class Cart {
          constructor(readonly items: number[]) {}
          async total(discount: number) { "use step"; return this.items.reduce((a, b) => a + b, 0) - discount; }
        }
        export async function checkout(items: number[]) { "use workflow"; return new Cart(items).total(1); }
      `,
    };
    await load(root, files, "step");
    expect([...double().steps.keys()]).toEqual(["step//app/cart.ts//Cart#total"]);
    await load(root, files, "workflow");
    await expect(workflow("workflow//app/cart.ts//checkout")([2, 3])).resolves.toBe(4);
    expect(double().calls).toEqual([{ id: "step//app/cart.ts//Cart#total", args: [1], self: { items: [2, 3] } }]);
  });

  test("workflow mode marks every step function with its id and, for a nested one, its closure", async () => {
    const root = await tempRoot();
    const files = {
      "app/values.ts": `
        export async function double(n: number) { "use step"; return n * 2; }
        export async function pick(n: number) {
          "use workflow";
          const inner = async (x: number) => { "use step"; return x + n; };
          return [double, inner];
        }
      `,
    };
    await load(root, files, "workflow");
    const [outer, inner] = (await workflow("workflow//app/values.ts//pick")(5)) as {
      stepRef: { id: string; closure?: () => unknown };
    }[];
    expect(outer?.stepRef).toEqual({ id: "step//app/values.ts//double" });
    expect(inner?.stepRef.id).toBe("step//app/values.ts//pick/inner");
    expect(inner?.stepRef.closure?.()).toEqual({ n: 5 });
  });

  test("a workflow calls steps imported from another file, and only the host runs their bodies", async () => {
    const root = await tempRoot();
    const files = {
      "lib/steps.ts": `
        export const hostRuns: string[] = [];
        export async function digest(text: string) { "use step"; hostRuns.push(text); return text.split("").reverse().join(""); }
      `,
      "app/hash.ts": `
        import { digest } from "../lib/steps";
        export async function hash(text: string) { "use workflow"; return digest(text); }
      `,
    };
    const host = await load(root, files, "step");
    const sandbox = await load(root, files, "workflow");
    await expect(workflow("workflow//app/hash.ts//hash")("abc")).resolves.toBe("cba");
    expect(host["lib/steps.ts"]?.hostRuns).toEqual(["abc"]);
    // The workflow-mode copy of the steps file holds a proxy, not the body.
    expect(sandbox["lib/steps.ts"]?.hostRuns).toEqual([]);
    expect(double().calls).toEqual([{ id: "step//lib/steps.ts//digest", args: ["abc"] }]);
  });

  test('a file-level "use step" registers every exported async function and proxies them in workflow mode', async () => {
    const root = await tempRoot();
    const files = {
      "lib/db.ts": `
        "use step";
        const rows = new Map<string, number>([["a", 1]]);
        export async function read(key: string) { return rows.get(key) ?? 0; }
        export const write = async (key: string, value: number) => { rows.set(key, value); return value; };
      `,
      "app/copy.ts": `
        import { read, write } from "../lib/db";
        export async function copy(from: string, to: string) { "use workflow"; return write(to, await read(from)); }
      `,
    };
    await load(root, files, "step");
    expect([...double().steps.keys()].sort()).toEqual(["step//lib/db.ts//read", "step//lib/db.ts//write"]);
    await load(root, files, "workflow");
    await expect(workflow("workflow//app/copy.ts//copy")("a", "b")).resolves.toBe(1);
    expect(double().calls.map((c) => c.id)).toEqual(["step//lib/db.ts//read", "step//lib/db.ts//write"]);
  });
});

describe("workflow stubs", () => {
  const files = {
    "app/flows.ts": `
      export async function checkout(orderId: string) { "use workflow"; return orderId; }
      export default async function () { "use workflow"; return 1; }
      export class Billing { static async monthly() { "use workflow"; return 2; } }
      export const api = { async sync() { "use workflow"; return 3; } };
    `,
  };

  for (const mode of ["step", "client"] as const) {
    test(`${mode} mode: each workflow is a stub that carries its workflowId and refuses a direct call`, async () => {
      const root = await tempRoot();
      const mod = (await load(root, files, mode))["app/flows.ts"]!;
      const stubs = {
        checkout: mod.checkout,
        default: mod.default,
        "Billing.monthly": (mod.Billing as Record<string, unknown>).monthly,
        "api.sync": (mod.api as Record<string, unknown>).sync,
      };
      for (const [name, stub] of Object.entries(stubs)) {
        expect((stub as { workflowId?: string }).workflowId).toBe(`workflow//app/flows.ts//${name}`);
        expect(() => (stub as () => unknown)()).toThrow(
          `${name}() is a workflow and cannot be called directly. Start it with start(${name}`,
        );
      }
      expect(double().workflows.size).toBe(0);
      expect(double().steps.size).toBe(0);
    });
  }
});

test("client mode: steps stay plain async functions that run when called, and nothing registers", async () => {
  const root = await tempRoot();
  const files = {
    "app/math.ts": `
      export async function square(n: number) { "use step"; return n * n; }
      export const api = { async half(n: number) { "use step"; return n / 2; } };
    `,
  };
  const mod = (await load(root, files, "client"))["app/math.ts"]!;
  await expect((mod.square as Fn)(7)).resolves.toBe(49);
  await expect(((mod.api as Record<string, unknown>).half as Fn)(9)).resolves.toBe(4.5);
  expect(double().steps.size).toBe(0);
  expect(double().calls).toEqual([]);
});
