/**
 * Fixture folders: fixtures/<case>/input.ts(x) and the expected output of each mode
 * (output-workflow.js, output-step.js, output-client.js), or error.txt for a case that must
 * fail, plus warnings.txt for a case that warns. Every case compiles a file at a fixed fake
 * root, so ids are stable. UPDATE_FIXTURES=1 rewrites the expected files from the output.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { formatDiagnostic, HooklineTransformError } from "../src/errors.js";
import { type TransformMode, transform } from "../src/index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const ROOT = "/project";
const MODES: TransformMode[] = ["workflow", "step", "client"];
const UPDATE = process.env.UPDATE_FIXTURES === "1";

interface CaseOptions {
  /** Relative to the fake root (default app/input.<ext>). */
  filename?: string;
  runtimeModules?: Record<string, string>;
}

function readCase(dir: string) {
  const input = readdirSync(dir).find((f) => f.startsWith("input."));
  if (!input) throw new Error(`fixture ${dir} has no input file`);
  const optionsFile = join(dir, "options.json");
  const options: CaseOptions = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, "utf8")) : {};
  const filename = join(ROOT, options.filename ?? `app/${input}`);
  return { code: readFileSync(join(dir, input), "utf8"), filename, options };
}

/** Compares `actual` with the file's content, or writes it in update mode. */
function expectFile(path: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing ${path}: run with UPDATE_FIXTURES=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("fixtures", () => {
  test("there are at least 30 success cases and 10 error cases", () => {
    const errors = cases.filter((c) => existsSync(join(FIXTURES, c, "error.txt")));
    expect(cases.length - errors.length).toBeGreaterThanOrEqual(30);
    expect(errors.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of cases) {
    const dir = join(FIXTURES, name);
    const errorFile = join(dir, "error.txt");
    const isError = existsSync(errorFile);
    test(name, () => {
      const { code, filename, options } = readCase(dir);
      const run = (mode: TransformMode) =>
        transform(code, { filename, root: ROOT, mode, runtimeModules: options.runtimeModules });
      if (isError) {
        // Diagnostics do not depend on the mode: each mode fails the same way.
        const messages = MODES.map((mode) => {
          try {
            run(mode);
          } catch (error) {
            if (!HooklineTransformError.is(error)) throw error;
            return error.message;
          }
          throw new Error(`${name}: ${mode} mode compiled, but the case expects an error`);
        });
        expect(new Set(messages).size).toBe(1);
        expectFile(errorFile, `${messages[0]}\n`);
        return;
      }
      const results = MODES.map((mode) => ({ mode, result: run(mode) }));
      for (const { mode, result } of results) {
        expectFile(join(dir, `output-${mode}.js`), `${result.code.trimEnd()}\n`);
        // Directives are gone from the output, so compiling it again changes nothing.
        if (result.changed) expect(transform(result.code, { filename, root: ROOT, mode }).changed).toBe(false);
      }
      const warnings = results[0]!.result.warnings;
      const warningsFile = join(dir, "warnings.txt");
      if (warnings.length > 0 || existsSync(warningsFile)) {
        if (UPDATE && warnings.length === 0) rmSync(warningsFile);
        else expectFile(warningsFile, `${warnings.map(formatDiagnostic).join("\n\n")}\n`);
      }
    });
  }
});
