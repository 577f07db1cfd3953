/**
 * `pnpm bench`: what Hookline costs a developer (DESIGN §5). The same small app (the release
 * check's template: a page, two routes, a workflow with steps) with and without `withWorkflow`
 * in next.config, measured side by side on this machine:
 *
 * - a cold `next dev` (no .next, no generated routes): from the command to the first page
 *   answered, the CPU time its processes used until then (what others' load on a shared
 *   machine changes least), and how long next.config took to evaluate (as Next prints it);
 * - a restart of `next dev` with nothing changed (Hookline reuses its last workflow build);
 * - `next build`.
 *
 * The apps live in <repo>/.bench-apps/ (git-ignored), beside the workspace so they resolve
 * `next` and `hookline` from the example's node_modules.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_DIR, freePort } from "../test/support/next-server";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const TEMPLATE = join(REPO, "apps", "release-check", "template");
const APPS = join(REPO, ".bench-apps");
const NEXT_BIN = join(APP_DIR, "node_modules", "next", "dist", "bin", "next");
const ROUNDS = Number(process.env.HOOKLINE_BENCH_ROUNDS ?? 3);

type Variant = "without" | "with";
interface DevStart {
  /** From spawning `next dev` to the first page answered. */
  firstPageMs: number;
  /** next.config's evaluation, as Next prints it. */
  configMs: number;
  /** CPU time `next dev`'s processes used until then (Linux; NaN elsewhere): steadier than wall time on a shared machine. */
  cpuMs: number;
}

const load = loadavg()[0]!.toFixed(1);

async function makeApp(variant: Variant): Promise<string> {
  const dir = join(APPS, variant);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(TEMPLATE, dir, { recursive: true });
  await symlink(join(APP_DIR, "node_modules"), join(dir, "node_modules"));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: `bench-${variant}`, private: true, type: "module" }),
  );
  if (variant === "without") {
    await writeFile(
      join(dir, "next.config.ts"),
      'import type { NextConfig } from "next";\n\nconst nextConfig: NextConfig = {};\n\nexport default nextConfig;\n',
    );
  }
  return dir;
}

function next(dir: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", HOOKLINE_LOCAL_DIR: join(dir, ".hookline") },
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  await exited;
}

async function devStart(variant: Variant, cold: boolean): Promise<DevStart> {
  const dir = dirs[variant];
  if (cold) {
    await rm(join(dir, ".next"), { recursive: true, force: true });
    await rm(join(dir, "app", ".well-known"), { recursive: true, force: true });
  }
  const port = await freePort();
  const started = performance.now();
  const dev = next(dir, ["dev", "--port", String(port), "--hostname", "127.0.0.1"]);
  try {
    for (;;) {
      if (dev.child.exitCode !== null) throw new Error(`next dev exited:\n${dev.output()}`);
      const answered = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(120_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const firstPageMs = performance.now() - started;
    const cpuMs = await groupCpuMs(dev.child.pid!);
    const config = /Running next\.config\.\w+ took ([\d.]+)(ms|s)/.exec(dev.output());
    const configMs = config ? Number(config[1]) * (config[2] === "s" ? 1000 : 1) : 0;
    // Hookline builds the workflows in the background after the first page: a developer's session
    // outlasts that, so the restart measured next finds the build to reuse.
    const deadline = Date.now() + 120_000;
    while (variant === "with" && !/\[hookline\] runtime started/.test(dev.output()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { firstPageMs, configMs, cpuMs };
  } finally {
    await stop(dev.child);
  }
}

/** User + system CPU of every live process in group `pgid`, with their waited-for children's (Linux /proc). */
async function groupCpuMs(pgid: number): Promise<number> {
  let ticks = 0;
  try {
    for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the command: state, ppid, pgrp, … utime (12th), stime, cutime, cstime.
      if (Number(fields[2]) === pgid) ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    }
  } catch {
    return Number.NaN;
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10;
}

async function buildMs(dir: string): Promise<number> {
  await rm(join(dir, ".next"), { recursive: true, force: true });
  const started = performance.now();
  const build = next(dir, ["build"]);
  const code = await new Promise<number | null>((resolve) => build.child.on("exit", resolve));
  if (code !== 0) throw new Error(`next build failed:\n${build.output()}`);
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dirs = { without: await makeApp("without"), with: await makeApp("with") };
const results: Record<Variant, { cold: DevStart[]; warm: DevStart[]; build: number[] }> = {
  without: { cold: [], warm: [], build: [] },
  with: { cold: [], warm: [], build: [] },
};
console.log(`[bench] next dev and next build with and without Hookline, ${ROUNDS} rounds…`);
// Alternating, so a busier moment of the machine weighs on both alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of ["without", "with"] as const) {
    results[variant].cold.push(await devStart(variant, true));
    results[variant].warm.push(await devStart(variant, false));
  }
}
for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
  for (const variant of ["without", "with"] as const) results[variant].build.push(await buildMs(dirs[variant]));
}
await rm(APPS, { recursive: true, force: true });

const rows: [string, string, string, string][] = [];
const compare = (name: string, pick: (variant: Variant) => number, target: string, relative = false) => {
  const [without, withHookline] = [pick("without"), pick("with")];
  const difference = relative
    ? `+${(((withHookline - without) / without) * 100).toFixed(0)} %`
    : `+${seconds(withHookline - without)}`;
  rows.push([name, seconds(without), seconds(withHookline), `${difference} (target ${target})`]);
};
compare("cold next dev: command → first page", (v) => median(results[v].cold.map((r) => r.firstPageMs)), "≤ +0.5 s");
compare("cold next dev: CPU used until the first page", (v) => median(results[v].cold.map((r) => r.cpuMs)), "≤ +0.5 s");
compare(
  "cold next dev: next.config evaluated",
  (v) => median(results[v].cold.map((r) => r.configMs)),
  "≤ 0.3 s with Hookline",
);
compare(
  "next dev restarted, nothing changed: command → first page",
  (v) => median(results[v].warm.map((r) => r.firstPageMs)),
  "≤ +0.5 s",
);
compare(
  "next dev restarted: CPU used until the first page",
  (v) => median(results[v].warm.map((r) => r.cpuMs)),
  "≤ +0.5 s",
);
compare(
  "next dev restarted: next.config evaluated",
  (v) => median(results[v].warm.map((r) => r.configMs)),
  "≤ 0.3 s with Hookline",
);
compare("next build", (v) => median(results[v].build), "≤ +10 %", true);

console.log("\n### example — what Hookline adds to next dev and next build (same app, medians)\n");
console.log("| benchmark | without Hookline | with Hookline | difference |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log(
  `\n${ROUNDS} rounds of next dev, ${Math.min(ROUNDS, 2)} of next build. Machine: ${cpus().length} CPUs, load average ${load} at the start.`,
);
process.exit(0);
