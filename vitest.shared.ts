import { defineConfig } from "vitest/config";

/** Tests run against TypeScript source: workspace packages resolve through their "hookline-source" export condition. */
export const sharedConfig = defineConfig({
  resolve: { conditions: ["hookline-source"] },
  ssr: { resolve: { conditions: ["hookline-source"], externalConditions: ["hookline-source"] } },
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
