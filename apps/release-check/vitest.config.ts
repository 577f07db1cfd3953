import { defineConfig } from "vitest/config";

// One fresh app, built twice (Turbopack and webpack): slow steps, run one after another.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], fileParallelism: false, testTimeout: 300_000, hookTimeout: 600_000 },
});
