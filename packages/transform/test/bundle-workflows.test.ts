/**
 * bundleWorkflows: the sandbox bundle. Evaluated in a fresh vm context it must load the runtime
 * first, register every workflow, and carry nothing that only steps use.
 */
import { isAbsolute, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { describe, expect, test } from "vitest";
import { bundleWorkflows } from "../src/esbuild.js";
import { HooklineTransformError } from "../src/index.js";
import { tempRoot } from "./support/compile.js";
import { writeFiles } from "./support/files.js";

const support = (file: string) => fileURLToPath(new URL(`./support/${file}`, import.meta.url));
const ALIAS = { hookline: support("sandbox-hookline.ts"), "hookline/internal/workflow": support("sandbox-runtime.ts") };

const APP = {
  "app/workflows/order.ts": `
    import { sleep } from "hookline";
    import { charge } from "../../lib/payments";
    export async function order(id: string) {
      "use workflow";
      const receipt = await charge(id, 500);
      const slept = await sleep("1s");
      return { receipt, slept };
    }
  `,
  "app/workflows/refund.ts": `
    export default async function refund(id: string) {
      "use workflow";
      return "refunded " + id;
    }
  `,
  "lib/payments.ts": `
    import { createHash } from "node:crypto";
    import { client } from "./db";
    export async function charge(id: string, cents: number) {
      "use step";
      return client.charge(createHash("sha256").update(id).digest("hex"), cents);
    }
  `,
  "lib/db.ts": `export const client = { secret: "DB_CONNECTION_SECRET", charge: async (id: string, cents: number) => id + cents };\n`,
};

interface Sandbox {
  __registered: Record<string, (...args: unknown[]) => Promise<unknown>>;
}

async function bundleApp(files: Record<string, string>, entries: string[], sourcemap = false) {
  const root = await tempRoot();
  await writeFiles(root, files);
  const result = await bundleWorkflows({ root, files: entries.map((f) => join(root, f)), alias: ALIAS, sourcemap });
  return { root, ...result };
}

describe("bundleWorkflows", () => {
  test("evaluated in a fresh vm context, the bundle loads the runtime first and registers every workflow", async () => {
    const { code } = await bundleApp(APP, ["app/workflows/order.ts", "app/workflows/refund.ts"]);
    const context = vm.createContext({}) as unknown as Sandbox;
    vm.runInContext(code, context as unknown as vm.Context);
    expect(Object.keys(context.__registered).sort()).toEqual([
      "workflow//app/workflows/order.ts//order",
      "workflow//app/workflows/refund.ts//refund",
    ]);
    // sleep() (from "hookline") throws unless the runtime module ran before the workflow files.
    await expect(context.__registered["workflow//app/workflows/order.ts//order"]!("o1")).resolves.toEqual({
      receipt: { step: "step//lib/payments.ts//charge", args: ["o1", 500] },
      slept: "slept 1s",
    });
  });

  test("registers the serializable classes of a plain shared file (no directive) the workflows import, under the file's id", async () => {
    const files = {
      "app/workflows/price.ts": `
        import { Money } from "../../lib/money";
        export async function price(cents: number) {
          "use workflow";
          return new Money(cents).double().cents;
        }
      `,
      "lib/money.ts": `
        import { WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";
        export class Money {
          constructor(readonly cents: number) {}
          static [WORKFLOW_SERIALIZE](m: Money) { return m.cents; }
          static [WORKFLOW_DESERIALIZE](cents: number) { return new Money(cents); }
          double() { return new Money(this.cents * 2); }
        }
      `,
    };
    const { code, manifest } = await bundleApp(files, ["app/workflows/price.ts"]);
    const context = vm.createContext({}) as unknown as Sandbox & { __classes: Record<string, { name: string }> };
    vm.runInContext(code, context as unknown as vm.Context);
    expect(Object.keys(context.__classes)).toEqual(["class//lib/money.ts//Money"]);
    expect(context.__classes["class//lib/money.ts//Money"]!.name).toBe("Money");
    await expect(context.__registered["workflow//app/workflows/price.ts//price"]!(21)).resolves.toBe(42);
    // The plain file defines no workflow or step: no manifest of its own.
    expect(manifest.map((m) => m.file)).toEqual(["app/workflows/price.ts"]);
  });

  test("carries none of the steps' imports and leaves nothing to require or import", async () => {
    const { code } = await bundleApp(APP, ["app/workflows/order.ts"]);
    expect(code).not.toContain("DB_CONNECTION_SECRET");
    expect(code).not.toContain("createHash");
    expect(code).not.toMatch(/\brequire\(|^\s*import\b|\bimport\(/m);
    expect(code.trimStart()).toMatch(/^(?:"use strict";\s*)?\(\(\) => \{/);
  });

  test("returns each file's manifest, sorted by file", async () => {
    const { manifest } = await bundleApp(APP, ["app/workflows/order.ts", "app/workflows/refund.ts"]);
    expect(manifest.map((m) => m.file)).toEqual([
      "app/workflows/order.ts",
      "app/workflows/refund.ts",
      "lib/payments.ts",
    ]);
    expect(manifest[2]?.steps).toEqual([
      { kind: "step", id: "step//lib/payments.ts//charge", name: "charge", file: "lib/payments.ts", line: 4 },
    ]);
    expect(manifest[1]?.workflows.map((w) => w.id)).toEqual(["workflow//app/workflows/refund.ts//refund"]);
  });

  test("a Node built-in imported by anything bundled fails the build, naming the importing file", async () => {
    const files = {
      "app/workflows/report.ts": `
        import { today } from "../../lib/clock";
        export async function report() { "use workflow"; return today(); }
      `,
      "lib/clock.ts": `import { hostname } from "node:os";\nexport const today = () => hostname();\n`,
    };
    const error = await bundleApp(files, ["app/workflows/report.ts"]).catch((e: unknown) => e);
    expect(HooklineTransformError.is(error)).toBe(true);
    expect((error as HooklineTransformError).code).toBe("HOOKLINE_BUNDLE_NODE_BUILTIN");
    expect((error as Error).message).toContain('lib/clock.ts imports the Node.js built-in "node:os"');
    expect((error as Error).message).toContain('"use step"');
    // esbuild names the file relative to the app; the error's file is absolute (readers make it relative once).
    const { file } = error as HooklineTransformError;
    expect(isAbsolute(file) && file.endsWith(`${sep}lib${sep}clock.ts`), file).toBe(true);
  });

  test("a transform error in a bundled file is thrown with its code and code frame", async () => {
    const files = {
      "app/workflows/bad.ts": `export async function bad() {\n  "use workflow";\n  setTimeout(() => {}, 5);\n}\n`,
    };
    const error = await bundleApp(files, ["app/workflows/bad.ts"]).catch((e: unknown) => e);
    expect(HooklineTransformError.is(error)).toBe(true);
    expect((error as HooklineTransformError).code).toBe("HOOKLINE_TRANSFORM_WORKFLOW_TIMER");
    expect((error as HooklineTransformError).codeFrame).toContain("> 3 |   setTimeout(() => {}, 5);");
  });

  test("a misspelled directive in a bundled file fails the bundle, naming the right spelling and its line", async () => {
    const files = {
      "app/workflows/typo.ts": `export async function typo() {\n  "use workflow";\n  return 1;\n}\nexport async function other() {\n  "use stpe";\n  return 2;\n}\n`,
    };
    const error = await bundleApp(files, ["app/workflows/typo.ts"]).catch((e: unknown) => e);
    expect(HooklineTransformError.is(error), String(error)).toBe(true);
    expect(error).toMatchObject({ code: "HOOKLINE_TRANSFORM_MISSPELLED_DIRECTIVE", line: 6 });
    expect((error as Error).message).toContain('did you mean "use step"?');
  });

  test("with sourcemap, an inline source map points workflow code at its original file and line", async () => {
    const { code, root } = await bundleApp(APP, ["app/workflows/order.ts"], true);
    const match = /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
    expect(match).not.toBeNull();
    const map = new TraceMap(JSON.parse(Buffer.from(match![1]!, "base64").toString("utf8")));
    const lines = code.split("\n");
    const line = lines.findIndex((l) => l.includes('await sleep("1s")'));
    const column = lines[line]!.indexOf("sleep");
    const original = originalPositionFor(map, { line: line + 1, column });
    expect(original.source && join(root, original.source).endsWith("app/workflows/order.ts")).toBe(true);
    // Line 7 of APP["app/workflows/order.ts"] (it starts with a newline).
    expect(original.line).toBe(7);
  });

  test("the source map ignore-lists Hookline's runtime (the aliased packages' sources), never the app's", async () => {
    const { code } = await bundleApp(APP, ["app/workflows/order.ts"], true);
    const match = /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
    const map = JSON.parse(Buffer.from(match![1]!, "base64").toString("utf8")) as {
      sources: string[];
      ignoreList?: number[];
    };
    const ignored = (map.ignoreList ?? []).map((index) => map.sources[index]);
    expect(ignored.length).toBeGreaterThan(0);
    expect(ignored.every((source) => source?.includes("test/support/sandbox-"))).toBe(true);
    const own = map.sources.filter((source) => !ignored.includes(source));
    expect(own).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/app\/workflows\/order\.ts$/),
        expect.stringMatching(/lib\/payments\.ts$/),
      ]),
    );
  });
});
