import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

// Compiled test workflows import "hookline" as users do; here it is this package's source.
export default mergeConfig(
  sharedConfig,
  defineConfig({
    resolve: {
      alias: [
        { find: /^hookline$/, replacement: src("index.ts") },
        { find: /^hookline\/api$/, replacement: src("api.ts") },
        { find: /^hookline\/internal\/step$/, replacement: src("host/internal-step.ts") },
        { find: /^hookline\/internal\/client$/, replacement: src("host/internal-client.ts") },
      ],
    },
    test: {
      projects: [
        { extends: true, test: { name: "local" } },
        // The runtime's suites again on the PostgreSQL world: a second world, end to end.
        {
          extends: true,
          test: {
            name: "postgres",
            include: [
              "test/runtime-{steps,hooks,runs,start-keys,concurrency,schedules,children,rolling-deploy}.test.ts",
              "test/webhook-*.test.ts",
              "test/run-views.test.ts",
              "test/run-waiter.test.ts",
            ],
            env: { HOOKLINE_TEST_WORLD: "postgres" },
            globalSetup: ["test/support/postgres-setup.ts"],
          },
        },
      ],
    },
  }),
);
