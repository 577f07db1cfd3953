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
  }),
);
