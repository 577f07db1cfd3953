/**
 * Builds a tiny "app" from workflow source files the way the Next.js plugin does: the
 * workflow bundle through @hookline/transform's bundler, the step files compiled in step
 * mode and imported so their steps register. Then a runtime on a world of the test's choice.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "@hookline/transform";
import { bundleWorkflows } from "@hookline/transform/esbuild";
import { Runtime, type RuntimeOptions, registries, setRuntime } from "../../src/runtime.js";
import type { World } from "../../src/world/world.js";

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

export const SANDBOX_ALIAS = {
  hookline: src("workflow/index.ts"),
  "hookline/api": src("workflow/api.ts"),
  "hookline/internal/workflow": src("workflow/internal.ts"),
};

export interface CompiledApp {
  root: string;
  bundle: { code: string; filename: string };
  /** Each file's step-mode module, as server code would import it. */
  modules: Record<string, Record<string, unknown>>;
}

/** Writes `files` (path → source) under a fresh root and compiles them. */
export async function compileApp(files: Record<string, string>): Promise<CompiledApp> {
  const root = await mkdtemp(join(tmpdir(), "hookline-app-"));
  for (const [path, code] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), code);
  }
  await writeHooklineShim(root);
  const workflowFiles = Object.entries(files)
    .filter(([, code]) => code.includes("use workflow"))
    .map(([path]) => join(root, path));
  const { code } = await bundleWorkflows({ root, files: workflowFiles, alias: SANDBOX_ALIAS, sourcemap: true });

  // Step mode: mirror the tree under .steps/ so relative imports between files still resolve.
  const stepRoot = join(root, ".steps");
  for (const [path, source] of Object.entries(files)) {
    const out = transform(source, { filename: join(root, path), root, mode: "step" });
    await mkdir(dirname(join(stepRoot, path)), { recursive: true });
    await writeFile(join(stepRoot, path), out.code);
  }
  const modules: CompiledApp["modules"] = {};
  for (const path of Object.keys(files)) modules[path] = await import(/* @vite-ignore */ join(stepRoot, path));
  return { root, bundle: { code, filename: join(root, "workflows.bundle.js") }, modules };
}

/**
 * A `hookline` package in the app's node_modules pointing at core's source, so the step-mode
 * modules also load outside vitest (child processes, benchmarks run with tsx).
 */
async function writeHooklineShim(root: string): Promise<void> {
  const pkg = join(root, "node_modules", "hookline");
  await mkdir(join(pkg, "internal"), { recursive: true });
  const exports = {
    ".": "index.ts",
    "./api": "api.ts",
    "./internal/step": "host/internal-step.ts",
    "./internal/client": "host/internal-client.ts",
  };
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "hookline",
      type: "module",
      exports: Object.fromEntries(Object.keys(exports).map((k) => [k, `./${k === "." ? "index" : k.slice(2)}.js`])),
    }),
  );
  for (const [subpath, file] of Object.entries(exports)) {
    await writeFile(
      join(pkg, `${subpath === "." ? "index" : subpath.slice(2)}.js`),
      `export * from ${JSON.stringify(src(file))};\n`,
    );
  }
}

export interface TestRuntimeOptions extends Partial<RuntimeOptions> {
  world?: World;
}

/**
 * The world a test runs on unless it picks one: the local world's memory driver, or with
 * HOOKLINE_TEST_WORLD=postgres a PostgreSQL world in a schema of its own (the runtime's
 * suites then double as a second world's end-to-end check).
 */
async function defaultWorld(): Promise<World> {
  // The worlds depend on core, so core cannot depend on them back (turbo rejects the cycle):
  // its tests reach them through their source instead.
  if (process.env.HOOKLINE_TEST_WORLD !== "postgres") {
    const { createLocalWorld } = await import("../../../world-local/src/index.js");
    return createLocalWorld({ driver: "memory" });
  }
  const { createPostgresWorld } = await import("../../../world-postgres/src/index.js");
  const connectionString = process.env.HOOKLINE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const schema = `core_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const world = createPostgresWorld({ connectionString, schema });
  // The schema is the test's own: dropped when the world closes.
  const close = world.close.bind(world);
  world.close = async () => {
    await close();
    // pg is world-postgres's dependency, not core's.
    const pg = createRequire(new URL("../../../world-postgres/package.json", import.meta.url))("pg") as {
      Client: new (options: {
        connectionString: string;
      }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
    };
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
  };
  return world;
}

/** A runtime on the default test world (unless given one) with fast retries; also the process's runtime (hookline/api). */
export async function createTestRuntime(app: CompiledApp, options: TestRuntimeOptions = {}): Promise<Runtime> {
  const runtime = await Runtime.create({
    world: options.world ?? (await defaultWorld()),
    secret: "test-secret-0123456789abcdef0123456789abcdef",
    bundle: app.bundle,
    steps: registries().steps,
    baseUrl: "http://127.0.0.1:3000",
    ...options,
    retry: { baseDelayMs: 5, ...options.retry },
  });
  setRuntime(runtime);
  return runtime;
}
