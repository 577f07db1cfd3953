/**
 * At `next build`: whether a standalone build's instrumentation starts Hookline's runtime (see
 * standalone.ts). Build-side only: it reads the app's files, which server code must not do, or
 * the output tracer would copy the whole app folder into the standalone server.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { INSTRUMENTATION_ADVICE, INSTRUMENTATION_MODULE } from "./standalone.js";

const EXTENSIONS = ["ts", "js", "mts", "mjs", "tsx", "jsx", "cts", "cjs"];

/** The app's instrumentation files, where Next looks for them (the app folder or src/). */
export function instrumentationFiles(appDir: string): string[] {
  return [appDir, join(appDir, "src")]
    .flatMap((dir) => EXTENSIONS.map((ext) => join(dir, `instrumentation.${ext}`)))
    .filter((file) => existsSync(file));
}

/** At `next build`: what a standalone build lacks when the app's instrumentation does not start Hookline's runtime. */
export function standaloneWarning(config: { output?: string }, appDir: string): string | null {
  if (config.output !== "standalone") return null;
  const starts = instrumentationFiles(appDir).some((file) =>
    readFileSync(file, "utf8").includes(INSTRUMENTATION_MODULE),
  );
  if (starts) return null;
  return (
    'output: "standalone": its server.js never runs next.config, so nothing starts the runtime with the server: it starts with the first ' +
    `request that uses Hookline, and a bad configuration shows only then. ${INSTRUMENTATION_ADVICE}`
  );
}
