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
  expect(error).toMatchObject({
    code: "HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER",
    file: "/project/app/wf.ts",
    line: 3,
    column: 9,
  });
  expect(error.codeFrame).toContain("> 3 |   return this;");
  expect(error.message.startsWith("HOOKLINE_TRANSFORM_THIS_ARGUMENTS_SUPER: ")).toBe(true);
  expect(error.message).toContain("(/project/app/wf.ts:3:10)");
  // The runtime's HooklineError.is() recognises transform errors by the shared brand.
  expect((error as unknown as Record<symbol, unknown>)[Symbol.for("hookline.error")]).toBe(true);
});

test.each([
  ["use workfow", '"use workfow" is not a directive: did you mean "use workflow"? Write it exactly.'],
  ["use steps", '"use steps" is not a directive: did you mean "use step"? Write it exactly.'],
  ["Use Workflow", '"Use Workflow" is not a directive: did you mean "use workflow"? Write it exactly.'],
])("a near miss (%s) fails with the right spelling, at its position", (written, message) => {
  const error = (() => {
    try {
      transform(`export async function wf() {\n  "${written}";\n  return 1;\n}\n`, options);
    } catch (caught) {
      return caught;
    }
  })();
  expect(HooklineTransformError.is(error), String(error)).toBe(true);
  expect(error).toMatchObject({
    code: "HOOKLINE_TRANSFORM_MISSPELLED_DIRECTIVE",
    file: "/project/app/wf.ts",
    line: 2,
    column: 2,
  });
  expect((error as Error).message).toContain(message);
});

test("a directive in backticks is a template literal, and fails naming the quotes to use", () => {
  expect(() => transform("export async function wf() {\n  `use step`;\n  return 1;\n}\n", options)).toThrow(
    /`use step` is a template literal, not a directive. Write "use step" with single or double quotes./,
  );
});

test("strings that are not near misses are left alone", () => {
  const result = transform(
    `"use strict";\nexport async function f() {\n  "use server";\n  "use cache";\n  return 1;\n}\n`,
    options,
  );
  expect(result.changed).toBe(false);
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
