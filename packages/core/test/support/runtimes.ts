/** Runtimes made by a test file, closed after each test. */
import { afterEach } from "vitest";
import type { Runtime } from "../../src/runtime.js";
import { type CompiledApp, compileApp, createTestRuntime, type TestRuntimeOptions } from "./app.js";

const open: Runtime[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((runtime) => runtime.close()));
});

export async function runtimeFor(
  files: Record<string, string> | CompiledApp,
  options?: TestRuntimeOptions,
): Promise<Runtime> {
  const app = "bundle" in files ? (files as CompiledApp) : await compileApp(files as Record<string, string>);
  const runtime = await createTestRuntime(app, options);
  open.push(runtime);
  return runtime;
}

/** Closes a runtime early (e.g. to simulate a restart); afterEach skips it. */
export async function closeRuntime(runtime: Runtime): Promise<void> {
  const index = open.indexOf(runtime);
  if (index >= 0) open.splice(index, 1);
  await runtime.close();
}
