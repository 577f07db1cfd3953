/**
 * The README's hookline/testing example, run as written against the release check's signup
 * workflow (test/fixtures/signup.ts is a copy of apps/release-check/template/app/workflows/signup.ts).
 */
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createTestRuntime, type TestRuntime } from "../src/testing.js";
import { signup } from "./fixtures/signup";

let hl: TestRuntime;
beforeEach(async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  hl = await createTestRuntime();
});
afterEach(async () => {
  await hl.close();
  vi.restoreAllMocks();
});

it("creates the user once the email is confirmed", async () => {
  const run = await hl.start(signup, ["ada@example.com"]);
  const confirmation = await run.waitForHook({ kind: "webhook" }); // the URL the step printed
  expect(console.log).toHaveBeenCalledWith(`confirm user_ada at ${confirmation.url}`);
  expect((await confirmation.send({ body: JSON.stringify({ confirmed: true }) })).status).toBe(202);
  expect(await run.result()).toEqual({ userId: "user_ada", confirmed: true });
});

it("is the workflow the release check installs, and the test the README shows", async () => {
  const template = new URL("../../../apps/release-check/template/app/workflows/signup.ts", import.meta.url);
  expect(await readFile(new URL("./fixtures/signup.ts", import.meta.url), "utf8")).toBe(
    await readFile(template, "utf8"),
  );
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toContain(
    [
      '  const run = await hl.start(signup, ["ada@example.com"]);',
      '  const confirmation = await run.waitForHook({ kind: "webhook" });   // the URL the step printed',
      "  expect((await confirmation.send({ body: JSON.stringify({ confirmed: true }) })).status).toBe(202);",
      '  expect(await run.result()).toEqual({ userId: "user_ada", confirmed: true });',
    ].join("\n"),
  );
});
