import { defineConfig } from "vitest/config";

/**
 * The example's tests drive real Next.js servers: one production build (browser + HTTP
 * suites), one webpack build (smoke test), one dev server. Files run one at a time, as the
 * builds would otherwise fight over two cores.
 */
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
