import { describe, expect, it } from "vitest";
import hooklineLoader from "../src/loader.js";

const ROOT = "/app";
const SOURCE = [
  "export async function checkout(id: string) {",
  '  "use workflow";',
  "  return await charge(id);",
  "}",
  "",
  "export async function charge(id: string) {",
  '  "use step";',
  "  return id;",
  "}",
  "",
].join("\n");

interface Outcome {
  error: Error | null;
  code?: string;
  map?: { sources: string[]; mappings: string };
  warnings: Error[];
  errors: Error[];
}

function runLoader(
  source: string,
  mode: "step" | "client",
  resourcePath = "/app/workflows/checkout.ts",
  dev = false,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const warnings: Error[] = [];
    const errors: Error[] = [];
    hooklineLoader.call(
      {
        resourcePath,
        getOptions: () => ({ mode, root: ROOT, dev }),
        emitWarning: (warning: Error) => warnings.push(warning),
        emitError: (error: Error) => errors.push(error),
        async: () => (error: Error | null, code?: string, map?: unknown) =>
          resolve({ error, code, map: map as Outcome["map"], warnings, errors }),
      },
      source,
    );
  });
}

describe("the loader", () => {
  it("compiles server code in step mode: the step registers, the workflow becomes a stub with its id", async () => {
    const { error, code } = await runLoader(SOURCE, "step");
    expect(error).toBeNull();
    expect(code).toContain("hookline/internal/step");
    expect(code).toContain("step//workflows/checkout.ts//charge");
    expect(code).toContain("workflow//workflows/checkout.ts//checkout");
  });

  it("compiles browser code in client mode, without step registrations", async () => {
    const { error, code } = await runLoader(SOURCE, "client");
    expect(error).toBeNull();
    expect(code).toContain("hookline/internal/client");
    expect(code).not.toContain("hookline/internal/step");
  });

  it("hands back files without a directive, and the generated folder, untouched", async () => {
    const plain = 'export const message = "add \\"use workflow\\" to start";\n';
    expect((await runLoader(plain, "step")).code).toBe(plain);
    const generated = "/app/app/.well-known/workflow/v1/_hookline/registry.ts";
    expect((await runLoader(SOURCE, "step", generated)).code).toBe(SOURCE);
  });

  it("registers, in server code only, the serializable classes of a file without a directive, changing nothing else", async () => {
    const model = [
      'import { WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";',
      "export class Money {",
      "  constructor(readonly cents: number) {}",
      "  static [WORKFLOW_SERIALIZE](m: Money) { return m.cents; }",
      "  static [WORKFLOW_DESERIALIZE](cents: number) { return new Money(cents); }",
      "}",
      "",
    ].join("\n");
    const server = await runLoader(model, "step", "/app/lib/models.ts");
    expect(server.code).toContain(
      'import { registerClass as __hookline_registerClass } from "hookline/internal/step";',
    );
    expect(server.code).toContain('__hookline_registerClass("class//lib/models.ts//Money", Money);');
    expect(server.code).not.toContain("registerStep");
    expect((await runLoader(model, "client", "/app/lib/models.ts")).code).toBe(model);
    // Only the symbol named, no class with both halves: untouched.
    const reexport = 'export { WORKFLOW_SERIALIZE } from "hookline";\n';
    expect((await runLoader(reexport, "step", "/app/lib/symbols.ts")).code).toBe(reexport);
  });

  it("warns, naming it, about a directive file in a folder the scanner leaves out; says nothing of scanned dot-folders", async () => {
    const cached = await runLoader(SOURCE, "step", "/app/.cache/flows/checkout.ts");
    expect(cached.error).toBeNull();
    expect(cached.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('.cache/flows/checkout.ts has a "use workflow" or "use step" directive'),
    ]);
    expect((await runLoader(SOURCE, "step", "/app/app/.well-known/agent/v1/steps.ts")).warnings).toEqual([]);
    expect((await runLoader(SOURCE, "step", "/app/workflows/checkout.ts")).warnings).toEqual([]);
  });

  it("reports a directive error as a build error naming the file relative to the app, in short lines, with the user's line as its only frame", async () => {
    const source = 'export function notAsync() {\n  "use step";\n  return 1;\n}\n';
    const { error, errors, code } = await runLoader(source, "step");
    expect(error).toBeNull();
    expect(errors).toHaveLength(1);
    const [reported] = errors as [Error];
    expect(reported.message.split("\n").slice(0, 3)).toEqual([
      "HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC (workflows/checkout.ts:1:8):",
      'A "use step" function must be an async function: "notAsync" is not async.',
      "Add the async keyword.",
    ]);
    expect(reported.message).toContain("> 1 | export function notAsync() {");
    expect(reported.stack!.split("\n").filter((line) => line.startsWith("    at "))).toEqual([
      "    at workflows/checkout.ts:1:8",
    ]);
    // The module keeps its exports for its importers, and fails with the message if it ever runs.
    expect(code).toMatch(/^throw Object\.assign\(new Error\("HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC/);
    expect(code).toContain(source);
  });

  it("under next dev, throws the error where the module runs instead: the message first, the throw mapped onto the faulty line", async () => {
    const source =
      'export async function ok() {\n  "use workflow";\n}\n\nexport function notAsync() {\n  "use step";\n  return 1;\n}\n';
    const { error, errors, code, map } = await runLoader(source, "step", "/app/workflows/checkout.ts", true);
    expect(error).toBeNull();
    expect(errors).toEqual([]);
    const thrown = (() => {
      try {
        new Function(code!.split("\n")[0]!)();
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(thrown?.name).toBe("HooklineTransformError");
    expect(thrown?.message.split("\n")).toEqual([
      'A "use step" function must be an async function: "notAsync" is not async.',
      "Add the async keyword.",
      "",
      "HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC (workflows/checkout.ts:5:8)",
    ]);
    expect(code!.slice(code!.indexOf("\n") + 1)).toBe(source);
    // Generated line 1 → source line 5 (0-based 4), column 7; line 2 → line 1; then one line each.
    expect(map?.sources).toEqual(["/app/workflows/checkout.ts"]);
    expect(map?.mappings.split(";").slice(0, 4)).toEqual(["AAIO", "AAJP", "AACA", "AACA"]);
    expect(map?.mappings.split(";")).toHaveLength(source.split("\n").length + 1);
  });
});
