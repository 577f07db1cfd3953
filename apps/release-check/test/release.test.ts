/**
 * The release check: every publishable package packed as it would be published, the tarballs
 * installed with npm into a fresh Next.js app in a temporary folder outside the workspace (from
 * ../template), then type-checked, built with Turbopack and with webpack, started, and used over
 * HTTP: a workflow started, its webhook called, the run completed. A packaging mistake (a file
 * left out, an export pointing nowhere, a dependency only the workspace has) fails here.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TEMPLATE = fileURLToPath(new URL("../template", import.meta.url));
const PUBLISHED = ["core", "transform", "next", "world-local", "world-postgres", "world-testing", "hookline"];
/** What a local-world app installs: hookline and what it depends on. */
const INSTALLED = ["core", "transform", "next", "world-local", "hookline"];

let work: string;
let app: string;
const tarballs = new Map<string, string>();
let installOutput = "";

/** The name a package's tarball gets from `pnpm pack`. */
async function packageName(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, "packages", dir, "package.json"), "utf8")) as { name: string }).name;
}

/** This process's environment without what pnpm adds for its scripts (a stranger's npm has none of it). */
function strangerEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name)));
  return { ...clean, NEXT_TELEMETRY_DISABLED: "1", ...env };
}

async function exec(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: strangerEnv(env), maxBuffer: 64 << 20 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}${stderr}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hookline-release-"));
  const packs = join(work, "packs");
  await mkdir(packs);
  for (const dir of PUBLISHED) {
    const before = new Set(await readdir(packs));
    await exec("pnpm", ["pack", "--pack-destination", packs], join(ROOT, "packages", dir));
    const made = (await readdir(packs)).filter((file) => !before.has(file));
    expect(made, `pnpm pack of packages/${dir}`).toHaveLength(1);
    tarballs.set(await packageName(dir), join(packs, made[0]!));
  }

  // A fresh app: the template, with the tarballs as its dependencies (overrides pin every
  // @hookline package to its tarball, so nothing is fetched from the registry under that name).
  app = join(work, "app");
  await cp(TEMPLATE, app, { recursive: true });
  const example = JSON.parse(await readFile(join(ROOT, "apps/example/package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const file = (name: string) => `file:${tarballs.get(name)}`;
  const overrides = Object.fromEntries(
    [...tarballs.keys()].filter((name) => name.startsWith("@hookline/")).map((name) => [name, file(name)]),
  );
  await writeFile(
    join(app, "package.json"),
    JSON.stringify(
      {
        name: "fresh-app",
        private: true,
        scripts: { build: "next build", start: "next start" },
        dependencies: {
          hookline: file("hookline"),
          next: example.dependencies.next,
          react: example.dependencies.react,
          "react-dom": example.dependencies["react-dom"],
        },
        devDependencies: {
          typescript: "5.9.3",
          "@types/node": "^20.19.0",
          "@types/react": "^19.3.0",
          "@types/react-dom": "^19.3.0",
        },
        overrides,
      },
      null,
      2,
    ),
  );
  installOutput = await exec("npm", ["install", "--no-audit", "--no-fund"], app);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function tarballEntries(tarball: string): Promise<string[]> {
  return (await exec("tar", ["tzf", tarball], work)).split("\n").filter(Boolean);
}

async function tarballManifest(tarball: string): Promise<Record<string, unknown>> {
  return JSON.parse(await exec("tar", ["xzf", tarball, "-O", "package/package.json"], work)) as Record<string, unknown>;
}

/** Every file an exports map points to, with the conditions leading to it. */
function exportTargets(value: unknown, path: string[] = []): Array<{ conditions: string[]; target: string }> {
  if (typeof value === "string") return [{ conditions: path, target: value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

describe("the tarballs", () => {
  it("hold what users run, documented, with every export pointing at a file they contain", async () => {
    for (const [name, tarball] of tarballs) {
      const entries = await tarballEntries(tarball);
      const manifest = await tarballManifest(tarball);
      expect(
        entries.filter((entry) => /^package\/(src|test|bench)\//.test(entry)),
        `${name}: sources or tests`,
      ).toEqual([]);
      for (const required of ["package/README.md", "package/LICENSE", "package/package.json"])
        expect(entries, `${name}: ${required}`).toContain(required);
      for (const field of [
        "description",
        "license",
        "repository",
        "homepage",
        "bugs",
        "keywords",
        "engines",
        "sideEffects",
      ]) {
        expect(manifest[field], `${name}: package.json field ${field}`).toBeDefined();
      }
      expect(JSON.stringify(manifest.exports), `${name}: a workspace-only export condition`).not.toContain(
        "hookline-source",
      );
      const ranges = [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies];
      expect(JSON.stringify(ranges), `${name}: a workspace-only version range`).not.toContain("workspace:");
      const bins =
        typeof manifest.bin === "string"
          ? [manifest.bin]
          : Object.values((manifest.bin ?? {}) as Record<string, string>);
      for (const bin of bins) expect(entries, `${name}: bin ${bin}`).toContain(`package/${bin.replace(/^\.\//, "")}`);
      for (const { conditions, target } of exportTargets(manifest.exports)) {
        expect(entries, `${name}: exports ${conditions.join(" → ")} → ${target}`).toContain(
          `package/${target.replace(/^\.\//, "")}`,
        );
        if (conditions.includes("require") && conditions.at(-1) === "types")
          expect(target, `${name}: types for require`).toMatch(/\.d\.cts$/);
      }
    }
  });

  it("show in hookline's README exactly the code this fresh app runs", async () => {
    const readme = await exec("tar", ["xzf", tarballs.get("hookline")!, "-O", "package/README.md"], work);
    for (const file of ["app/workflows/signup.ts", "app/api/signup/route.ts", "app/api/runs/[runId]/route.ts"]) {
      const source = await readFile(join(TEMPLATE, file), "utf8");
      expect(readme, `README block for ${file}`).toContain(`\`\`\`ts\n// ${file}\n${source}\`\`\``);
    }
  });

  it("install with npm without a warning, and without PostgreSQL's driver in a local-world app", async () => {
    // npm 11 lists packages whose install script it did not run: esbuild's, which Hookline does not
    // need (its binary comes from the platform package); the README says so. Nothing else.
    const warnings = installOutput.split("\n").filter((line) => /npm warn/i.test(line));
    const unexplained = warnings.filter(
      (line) =>
        !/^npm warn install-scripts(\s*$| 1 package has install scripts| {3}esbuild@[\d.]+ \(postinstall: node install\.js\)$| Run `npm install-scripts)/.test(
          line,
        ),
    );
    expect(unexplained).toEqual([]);
    const installed = await readdir(join(app, "node_modules"));
    expect(installed).not.toContain("pg");
    const scoped = await readdir(join(app, "node_modules", "@hookline"));
    expect(scoped.sort()).toEqual(INSTALLED.filter((dir) => dir !== "hookline").sort());
  });
});

interface Server {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

interface Spawned {
  url: string;
  output(): string;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

/** `next start` of the fresh app on a free port, in its own process group. */
async function spawnNext(env: Record<string, string> = {}): Promise<Spawned> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(app, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: app,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: strangerEnv(env),
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const kill = async () => {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, output: () => output, exited, kill };
}

/** A server that answers its home page. */
async function startServer(): Promise<Server> {
  const next = await spawnNext();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(next.url).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    const code = await Promise.race([next.exited, new Promise((resolve) => setTimeout(() => resolve("running"), 200))]);
    if (code !== "running") throw new Error(`next start exited with ${code}:\n${next.output()}`);
    if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${next.output()}`);
  }
  return { url: next.url, output: next.output, stop: next.kill };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs up through the app's route, confirms through the webhook URL the step printed, and reads the run's result. */
async function signUpAndConfirm(server: Server, email: string): Promise<void> {
  const started = await fetch(`${server.url}/api/signup`, { method: "POST", body: JSON.stringify({ email }) });
  expect(started.status).toBe(200);
  const { runId } = (await started.json()) as { runId: string };
  const user = `user_${email.split("@")[0]}`;
  const webhook = await eventually(
    "the confirmation URL",
    async () => new RegExp(`confirm ${user} at (\\S+)`).exec(server.output())?.[1],
  );
  expect(webhook).toMatch(new RegExp(`^${server.url}/\\.well-known/workflow/v1/webhook/[A-Za-z0-9_-]{20,}$`));
  const delivered = await fetch(webhook, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ confirmed: true }),
  });
  expect(delivered.status).toBe(202);
  const view = await eventually("the run to complete", async () => {
    const response = await fetch(`${server.url}/api/runs/${runId}`);
    const body = (await response.json()) as { status: string; result: unknown };
    return body.status === "completed" ? body : undefined;
  });
  expect(view.result).toEqual({ userId: user, confirmed: true });
}

describe("a fresh app using the installed package", () => {
  it("builds with Turbopack, type-checks strictly, and runs a workflow through its webhook under next start", async () => {
    const built = await exec(process.execPath, [join(app, "node_modules/next/dist/bin/next"), "build"], app);
    expect(built).toContain("[hookline] 1 workflow; 1 file with directives (1 with steps): app/workflows/signup.ts");
    await exec(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "--noEmit"], app);
    const server = await startServer();
    try {
      await signUpAndConfirm(server, "ada@example.com");
    } finally {
      await server.stop();
    }
    // The inspector's CLI, as a user runs it in the app's folder.
    const { stdout } = await run(join(app, "node_modules/.bin/hookline"), ["inspect", "runs", "--json"], {
      cwd: app,
      env: strangerEnv(),
    });
    const runs = JSON.parse(stdout) as Array<{ status: string }>;
    expect(runs.map((run) => run.status)).toEqual(["completed"]);
  });

  it("builds with webpack and runs the same workflow", async () => {
    await exec(process.execPath, [join(app, "node_modules/next/dist/bin/next"), "build", "--webpack"], app);
    const server = await startServer();
    try {
      await signUpAndConfirm(server, "grace@example.com");
    } finally {
      await server.stop();
    }
  });

  it("names the install command when the PostgreSQL world is chosen without its package", async () => {
    const next = await spawnNext({
      HOOKLINE_WORLD: "postgres",
      HOOKLINE_POSTGRES_URL: "postgres://nobody@127.0.0.1:1/none",
      HOOKLINE_SECRET: "s".repeat(48),
    });
    try {
      const code = await Promise.race([
        next.exited,
        new Promise((resolve) => setTimeout(() => resolve("still running after 60 s"), 60_000)),
      ]);
      expect(code, next.output()).toBe(1);
      expect(next.output()).toContain(
        "[hookline] cannot start: HOOKLINE_WORLD is postgres but the PostgreSQL world is not installed: run `npm install @hookline/world-postgres`",
      );
    } finally {
      await next.kill();
    }
  });

  it("fails next build on a misspelled directive, naming the right spelling once, without compiler frames", async () => {
    const typo = join(app, "app/workflows/typo.ts");
    await writeFile(typo, 'export async function nightly() {\n  "use wokflow";\n  return 1;\n}\n');
    try {
      const failed = await exec(process.execPath, [join(app, "node_modules/next/dist/bin/next"), "build"], app).then(
        () => "",
        (error: Error) => error.message,
      );
      expect(failed, "next build succeeded").not.toBe("");
      const message = '"use wokflow" is not a directive: did you mean "use workflow"?';
      expect(failed.split(message).length - 1, failed).toBe(1);
      // The file relative to the app, as the one frame: none of the compiler's.
      expect(failed).toContain("(app/workflows/typo.ts:2:3)");
      expect(failed).toMatch(/\n {4}at .*\bapp\/workflows\/typo\.ts:2:3\)?\n/);
      expect(failed).not.toMatch(/transformFile|gensync|node_modules[\\/]@(babel|hookline)/);
    } finally {
      await rm(typo);
    }
  });
});

describe("hookline/testing in the fresh app", () => {
  it("runs the README's vitest example against the app's signup workflow, with vitest installed as a user installs it", async () => {
    const readme = await exec("tar", ["xzf", tarballs.get("hookline")!, "-O", "package/README.md"], work);
    const block = /## Test workflows[\s\S]*?```ts\n(\/\/ vitest\.config\.ts\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "the README's hookline/testing example").toBeDefined();
    const [config, test] = block!.split(/^(?=\/\/ test\/signup\.test\.ts$)/m);
    expect(test, "the README's test file").toBeDefined();
    const vitest = (
      JSON.parse(await readFile(join(ROOT, "apps/release-check/package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies.vitest;
    await exec("npm", ["install", "--no-save", "--no-audit", "--no-fund", `vitest@${vitest}`], app);
    await writeFile(join(app, "vitest.config.ts"), config!);
    await mkdir(join(app, "test"), { recursive: true });
    await writeFile(join(app, "test/signup.test.ts"), test!);
    const output = await exec(process.execPath, [join(app, "node_modules/vitest/vitest.mjs"), "run"], app, {
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    });
    expect(output).toMatch(/Tests\s+1 passed \(1\)/);
  });
});
