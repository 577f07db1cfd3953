import { defineConfig, type Options } from "tsup";

/**
 * Every package builds the same way: ESM + CJS + types into dist/, one output per entry.
 * `build:js` (HOOKLINE_SKIP_DTS=1) leaves the types out: what `pnpm dev` needs, in seconds.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: process.env.HOOKLINE_SKIP_DTS !== "1",
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: true,
    ...overrides,
  });
}
