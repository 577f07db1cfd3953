import { packageBuild } from "../../tsup.shared.js";

export default [
  // shims: import.meta.url in the CommonJS build (next.config is loaded with require()).
  packageBuild(
    { index: "src/index.ts", server: "src/server-entry.ts" },
    { shims: true, clean: false, external: ["next"] },
  ),
  // The loader: one CommonJS file, as Turbopack's and webpack's loader runners require() it.
  packageBuild(
    { loader: "src/loader.ts" },
    { format: ["cjs"], dts: false, clean: false, splitting: false, external: ["@hookline/transform"] },
  ),
];
