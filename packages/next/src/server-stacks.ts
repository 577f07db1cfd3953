/**
 * The Next config that lets server code's errors read as the source in production: source maps
 * give the files and lines, and unminified server chunks keep the names of functions and classes
 * (a minifier renames a helper `validateCard` to `o` and an error class to `p`, and inlines small
 * helpers into their callers, taking their frames out of the stack); modules are not hoisted into
 * one scope, where a name two files declare is renamed in one of them (`validateCard1` under
 * Turbopack, `stacks_validateCard` under webpack). What the app sets itself stands. A standalone
 * server gets the chunks' maps too, which Next's tracer leaves out.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { NextConfig } from "next";
import { ROUTE_PREFIX } from "./routes.js";

type StackConfig = Pick<NextConfig, "experimental" | "compiler">;
type AfterCompile = NonNullable<NonNullable<NextConfig["compiler"]>["runAfterProductionCompile"]>;

export function readableServerStacks(config: NextConfig): StackConfig {
  const experimental = config.experimental;
  const turbopack = experimental?.turbopackMinify;
  // Turbopack reads `turbopackMinify` before `serverMinification`: an app that set it for servers chose.
  const chosen = typeof turbopack === "boolean" || turbopack?.server !== undefined;
  const result: StackConfig = {
    experimental: {
      ...experimental,
      serverSourceMaps: experimental?.serverSourceMaps ?? true,
      ...(chosen ? {} : { serverMinification: experimental?.serverMinification ?? false }),
      // Turbopack has one setting for server and browser.
      turbopackScopeHoisting: experimental?.turbopackScopeHoisting ?? false,
    },
  };
  if (config.output === "standalone") {
    const own = config.compiler?.runAfterProductionCompile;
    const after: AfterCompile = async (metadata) => {
      await own?.(metadata);
      await traceServerMaps(resolve(metadata.projectDir, metadata.distDir));
    };
    result.compiler = { ...config.compiler, runAfterProductionCompile: after };
  }
  return result;
}

/**
 * Adds every server chunk's map to the step route's trace, which the standalone output copies
 * (the union of all routes' traces): the maps exist only once the compiler wrote them, after
 * `outputFileTracingIncludes` was read, and Next's tracer leaves `.map` files out on purpose.
 */
async function traceServerMaps(distDir: string): Promise<void> {
  const server = join(distDir, "server");
  const trace = join(server, "app", ...`${ROUTE_PREFIX}/step/route.js.nft.json`.split("/").filter(Boolean));
  let traced: { version?: number; files: string[] };
  try {
    traced = JSON.parse(await readFile(trace, "utf8")) as typeof traced;
  } catch {
    return;
  }
  const maps = (await readdir(server, { recursive: true })).filter((file) => file.endsWith(".js.map"));
  const files = new Set(traced.files);
  for (const map of maps) files.add(relative(dirname(trace), join(server, map)).split(sep).join("/"));
  await writeFile(trace, JSON.stringify({ ...traced, files: [...files] }));
}

interface WebpackConfig {
  optimization?: { concatenateModules?: boolean };
}

/** webpack's side of it, for server compilations only (the browser's bundles stay hoisted). */
export function keepServerModuleNames(webpackConfig: WebpackConfig, isServer: boolean): void {
  if (!isServer) return;
  webpackConfig.optimization = { ...webpackConfig.optimization, concatenateModules: false };
}
