import { fileURLToPath } from "node:url";
import { hookline } from "hookline/testing/vite";
import { defineConfig } from "vitest/config";

/**
 * The example's tests drive real Next.js servers: one production build (browser + HTTP
 * suites), one webpack build (smoke test), one dev server. Files run one at a time, as the
 * builds would otherwise fight over two cores. test/workflows/ tests the workflows themselves
 * in-process with hookline/testing (its plugin compiles them; "@/" is the app's path alias).
 */
export default defineConfig({
  plugins: [hookline()],
  resolve: { alias: { "@/": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // The workspace's built packages load as an installed app loads them: by Node, not through vite.
    server: { deps: { external: [/[\\/]packages[\\/][^\\/]+[\\/]dist[\\/]/] } },
  },
});
