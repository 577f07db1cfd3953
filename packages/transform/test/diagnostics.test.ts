/** What tools rely on in a diagnostic beyond its message (the fixtures pin the messages). */
import { expect, test } from "vitest";
import { DIAGNOSTIC_CODES, HooklineTransformError, transform } from "../src/index.js";

const options = { filename: "/project/app/wf.ts", root: "/project", mode: "workflow" } as const;

test("an error is thrown with a stable code, its position and a code frame", () => {
  const code = `export async function wf() {\n  "use workflow";\n  return this;\n}\n`;
  let caught: unknown;
  try {
    transform(code, options);
  } catch (error) {
    caught = error;
  }
  expect(HooklineTransformError.is(caught)).toBe(true);
  const error = caught as HooklineTransformError;
  expect(error).toMatchObject({ code: "HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER", file: "/project/app/wf.ts", line: 3, column: 9 });
  expect(error.codeFrame).toContain("> 3 |   return this;");
  expect(error.message.startsWith("HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER: ")).toBe(true);
  expect(error.message).toContain("(/project/app/wf.ts:3:10)");
  // The runtime's HooklineError.is() recognises transform errors by the shared brand.
  expect((error as unknown as Record<symbol, unknown>)[Symbol.for("hookline.error")]).toBe(true);
});

test("a warning is returned, not thrown, with the same fields", () => {
  const result = transform(`export async function wf() {\n  "use workfow";\n  return 1;\n}\n`, options);
  expect(result.warnings).toEqual([
    {
      code: "HOOKLINE_TRANSFORM_MISSPELLED_DIRECTIVE",
      message: '"use workfow" looks like a misspelled directive and is ignored. Write "use workflow" exactly.',
      file: "/project/app/wf.ts",
      line: 2,
      column: 2,
      codeFrame: expect.stringContaining('> 2 |   "use workfow";'),
    },
  ]);
});

test("every code the transform can report is in DIAGNOSTIC_CODES", async () => {
  const { readdir, readFile } = await import("node:fs/promises");
  const dir = new URL("./fixtures/", import.meta.url);
  const seen = new Set<string>();
  for (const name of await readdir(dir)) {
    for (const file of ["error.txt", "warnings.txt"]) {
      const text = await readFile(new URL(`${name}/${file}`, dir), "utf8").catch(() => "");
      for (const match of text.matchAll(/^(HOOKLINE_[A-Z_]+):/gm)) seen.add(match[1]!);
    }
  }
  for (const code of seen) expect(DIAGNOSTIC_CODES).toContain(code);
  // Every transform diagnostic has a fixture (bundle errors are covered by bundle-workflows.test.ts).
  expect([...seen].sort()).toEqual(DIAGNOSTIC_CODES.filter((c) => c.startsWith("HOOKLINE_TRANSFORM_")).sort());
});
