import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";
import { hookline } from "./src/testing-vite.js";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

/**
 * hookline/testing's own tests compile the workflows under test/fixtures with its plugin; the
 * fixtures import "hookline" as an app does, resolved here to this package's source.
 */
export default mergeConfig(
  sharedConfig,
  defineConfig({
    plugins: [hookline({ root: fileURLToPath(new URL("./test/fixtures", import.meta.url)) })],
    resolve: {
      alias: [
        { find: /^hookline$/, replacement: src("index.ts") },
        { find: /^hookline\/api$/, replacement: src("api.ts") },
        { find: /^hookline\/internal\/step$/, replacement: src("internal-step.ts") },
      ],
    },
  }),
);
