/** The fast path: files without anything directive-like are returned as given, without a parse. */
import { describe, expect, test } from "vitest";
import { mayContainDirective, mayDeclareSerializableClass, transform } from "../src/index.js";

const options = { filename: "/project/app/file.ts", root: "/project", mode: "workflow" } as const;

describe("mayContainDirective", () => {
  test.each([
    ['"use workflow"', true],
    ["'use step'", true],
    ["`use step`", true],
    ['"use wokflow"', true],
    ['"use steps"', true],
    ['"Use Step"', true],
    ['"use  workflow"', true],
    ['"use strict"', false],
    ['"use client"', false],
    ['"use server"', false],
    ['"use cache"', false],
    ["const user = 1; // we use workflows here", false],
    ["", false],
  ])("%s → %s", (code, expected) => {
    expect(mayContainDirective(code)).toBe(expected);
  });
});

describe("transform's fast path", () => {
  test("returns a file without directives untouched and unparsed: even invalid syntax passes through", () => {
    const code = `"use strict";\n"use client";\n"use server";\nexport const broken = {;\n`;
    const result = transform(code, options);
    expect(result).toEqual({
      code,
      map: null,
      manifest: { file: "app/file.ts", workflows: [], steps: [] },
      warnings: [],
      changed: false,
    });
  });

  test("a near miss is enough to parse the file, so its error can be reported", () => {
    expect(() => transform(`export async function f() {\n  "use wokflow";\n}\n`, options)).toThrow(
      /HOOKLINE_TRANSFORM_MISSPELLED_DIRECTIVE/,
    );
  });

  test("a syntax error is reported only in a file with a real directive: other files are left to their own compiler", () => {
    const broken = `export const broken = {;\n`;
    expect(transform(`// "use wokflow"\n${broken}`, options)).toMatchObject({ changed: false, warnings: [] });
    expect(() => transform(`"use step";\n${broken}`, options)).toThrow(
      /HOOKLINE_TRANSFORM_SYNTAX_ERROR: Unexpected token/,
    );
  });

  test("a file that only mentions a directive is parsed but returned as given", () => {
    const code = `// add "use step" to a function to make it a step\nexport const x: number = 1;\n`;
    expect(transform(code, options)).toMatchObject({ code, changed: false, warnings: [] });
  });
});

describe("files without a directive that name a serialization symbol", () => {
  const model = `import { WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";
export class Money {
  constructor(readonly cents: number) {}
  static [WORKFLOW_SERIALIZE](m: Money) { return m.cents; }
  static [WORKFLOW_DESERIALIZE](cents: number) { return new Money(cents); }
}
`;

  test.each([
    ["import { WORKFLOW_SERIALIZE as S } from 'hookline';", true],
    ['static [Symbol.for("workflow-serialize")](x) {}', true],
    ['static [Symbol.for("hookline.serialize")](x) {}', true],
    ["export class Money { toJSON() {} }", false],
  ])("%s → %s", (code, expected) => {
    expect(mayDeclareSerializableClass(code)).toBe(expected);
  });

  test("workflow and step modes register the class and change nothing else; client mode leaves the file unparsed", () => {
    for (const mode of ["workflow", "step"] as const) {
      const result = transform(model, { ...options, mode });
      expect(result.changed).toBe(true);
      expect(result.code).toContain(`__hookline_registerClass("class//app/file.ts//Money", Money);`);
      expect(result.manifest).toEqual({ file: "app/file.ts", workflows: [], steps: [] });
    }
    const broken = `${model}export const broken = {;\n`;
    expect(transform(broken, { ...options, mode: "client" })).toMatchObject({ code: broken, changed: false });
  });

  test("a file that only names a symbol (no class with both halves), or does not parse, is returned as given", () => {
    const reexport = `export { WORKFLOW_SERIALIZE } from "hookline";\nexport const x: number = 1;\n`;
    expect(transform(reexport, options)).toMatchObject({ code: reexport, changed: false, warnings: [] });
    const broken = `${model}export const broken = {;\n`;
    expect(transform(broken, options)).toMatchObject({ code: broken, changed: false });
  });
});
