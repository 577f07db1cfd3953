import { defineConfig, type Options } from "tsup";

/** Every package builds the same way: ESM + CJS + types into dist/, one output per entry. */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: true,
    ...overrides,
  });
}
