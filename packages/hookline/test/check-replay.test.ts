/**
 * `hookline check-replay` as a user runs it: the CLI in its own process, with workflow bundles
 * built by Hookline's bundler, against recorded log files and against a local world's in-flight runs.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { serialize } from "@hookline/core/runtime";
import type { NewEvent, WorkflowEvent } from "@hookline/core/world";
import { createLocalWorld } from "@hookline/world-local";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleWorkflows } from "../../transform/src/esbuild.js";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const core = (path: string) => fileURLToPath(new URL(`../../core/src/${path}`, import.meta.url));
const WF = "workflow//workflows/order.ts//order";
const CHARGE = "step//workflows/order.ts//charge";

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=hookline-source", "--import", "tsx", "src/cli.ts", "check-replay", ...args],
      {
        cwd: PACKAGE,
        env: { ...process.env, HOOKLINE_WORLD: "" },
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

/** A bundle file of `source` as workflows/order.ts, built the way `next build` builds one. */
async function bundleFile(dir: string, name: string, source: string): Promise<string> {
  const root = await mkdtemp(join(dir, `${name}-`));
  await mkdir(join(root, "workflows"));
  await writeFile(join(root, "workflows", "order.ts"), source);
  const alias = {
    hookline: core("workflow/index.ts"),
    "hookline/api": core("workflow/api.ts"),
    "hookline/internal/workflow": core("workflow/internal.ts"),
  };
  const { code } = await bundleWorkflows({ root, files: [join(root, "workflows", "order.ts")], alias });
  const file = join(dir, `${name}.js`);
  await writeFile(file, code);
  return file;
}

const log = (runId: string, stepId = CHARGE): WorkflowEvent[] =>
  (
    [
      { type: "run_created", at: 1_000, data: { workflowId: WF, args: serialize(["o1"]), seed: "seed" } },
      { type: "run_started", at: 1_001, data: {} },
      { type: "step_started", corr: "o1", at: 1_002, data: { stepId, attempt: 1, args: serialize(["o1"]) } },
      { type: "step_completed", corr: "o1", at: 1_003, data: { stepId, result: serialize("charged") } },
    ] satisfies NewEvent[]
  ).map((e, i) => ({ ...e, v: 1, runId, seq: i + 1 }) as WorkflowEvent);

describe("hookline check-replay", () => {
  let dir: string;
  let same: string;
  let changed: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hookline-check-replay-"));
    const step = `async function charge(id: string) { "use step"; return "charged"; }`;
    same = await bundleFile(
      dir,
      "same",
      `import { sleep } from "hookline";\nexport async function order(id: string) { "use workflow"; await charge(id); await sleep("1d"); }\n${step}`,
    );
    changed = await bundleFile(
      dir,
      "changed",
      `import { sleep } from "hookline";\nexport async function order(id: string) { "use workflow"; await sleep("1h"); await charge(id); }\n${step}`,
    );
  }, 60_000);

  it("replays recorded log files: a clean one passes (exit 0), a divergence is named with both calls (exit 1)", async () => {
    const file = join(dir, "order-log.json");
    await writeFile(file, JSON.stringify({ events: log("wrun_fixture") }));
    const ok = await cli(["--bundle", same, file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/1 run checked on build [0-9a-f]{12} in \d+ ms: all replay cleanly\./);
    const bad = await cli(["--bundle", changed, file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      `run wrun_fixture (${file}) of ${WF} diverges at event 3: the log recorded step "${CHARGE}", the code now calls sleep().`,
    );
    const json = await cli(["--bundle", changed, "--json", file]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      checked: 1,
      diverging: [{ runId: "wrun_fixture", divergence: { seq: 3, recorded: `step "${CHARGE}"`, actual: "sleep()" } }],
    });
  }, 60_000);

  it("reads the bundle out of the generated workflows module, whatever follows it there", async () => {
    const file = join(dir, "order-log.json");
    await writeFile(file, JSON.stringify({ events: log("wrun_generated") }));
    const module = join(dir, "workflows.ts");
    const code = await readFile(changed, "utf8");
    await writeFile(
      module,
      `// Generated\nexport const workflowBundle: string = ${JSON.stringify(code)};\n\nexport const workflowIds: readonly string[] = ["order"];\n`,
    );
    const bad = await cli(["--bundle", module, file]);
    expect(bad.stdout).toContain("the code now calls sleep().");
    expect(bad.code).toBe(1);
  }, 60_000);

  it("reads the in-flight runs of the app's world; finished runs are not checked", async () => {
    const worldDir = await mkdtemp(join(tmpdir(), "hookline-check-replay-world-"));
    const world = createLocalWorld({ dir: worldDir });
    await world.start();
    for (const runId of ["wrun_inflight", "wrun_done"]) {
      for (const [i, { v: _v, runId: _r, seq: _s, ...event }] of log(runId).entries())
        await world.append(runId, event as NewEvent, { expectedSeq: i });
    }
    await world.append(
      "wrun_done",
      { type: "run_completed", at: 2_000, data: { result: serialize(null) } },
      { expectedSeq: 4 },
    );
    await world.close();
    const result = await cli(["--bundle", changed, "--dir", worldDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `run wrun_inflight of ${WF} diverges at event 3: the log recorded step "${CHARGE}", the code now calls sleep().`,
    );
    expect(result.stdout).not.toContain("wrun_done");
    expect(result.stdout).toContain("1 run checked");

    // A run's log saved as a fixture with `inspect events --raw`, replayed from the file.
    const saved = await promisify(execFile)(
      process.execPath,
      [
        "--conditions=hookline-source",
        "--import",
        "tsx",
        "src/cli.ts",
        "inspect",
        "events",
        "wrun_inflight",
        "--raw",
        "--dir",
        worldDir,
      ],
      {
        cwd: PACKAGE,
        env: { ...process.env, HOOKLINE_WORLD: "" },
      },
    );
    const fixture = join(dir, "saved.json");
    await writeFile(fixture, saved.stdout);
    expect((await cli(["--bundle", same, fixture])).code).toBe(0);
    expect((await cli(["--bundle", changed, fixture])).stdout).toContain(
      `run wrun_inflight (${fixture}) of ${WF} diverges at event 3`,
    );
  }, 60_000);

  it("checks hundreds of logs (on worker threads) and names each diverging run with its own calls, in order", async () => {
    const logsDir = await mkdtemp(join(dir, "many-"));
    // Each planted divergence records a step named after its run: a report given to the wrong run shows.
    const planted = [0, 1, 49, 50, 199, 200, 201, 333, 498, 599, 750, 949, 950, 999];
    const files: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const file = join(logsDir, `run-${String(i).padStart(3, "0")}.json`);
      await writeFile(file, JSON.stringify(log(`wrun_many_${i}`, planted.includes(i) ? `${CHARGE}_${i}` : CHARGE)));
      files.push(file);
    }
    const result = await cli(["--bundle", same, "--json", ...files]);
    expect(result.code).toBe(1);
    const { checked, diverging } = JSON.parse(result.stdout) as {
      checked: number;
      diverging: Array<{ runId: string; file: string; divergence: unknown }>;
    };
    expect(checked).toBe(1000);
    expect(diverging).toEqual(
      planted.map((i) =>
        expect.objectContaining({
          runId: `wrun_many_${i}`,
          file: files[i],
          divergence: { seq: 3, recorded: `step "${CHARGE}_${i}"`, actual: `step "${CHARGE}"` },
        }),
      ),
    );
  }, 120_000);

  it("a workflow's globals do not carry over from one checked run to the next", async () => {
    // The first run to get here sets the global: a later run that saw it would call sleep() instead.
    const global = await bundleFile(
      dir,
      "global",
      `export async function order(id: string) { "use workflow"; const g = globalThis as { seen?: boolean }; if (g.seen) await sleep("1h"); g.seen = true; await charge(id); }\n` +
        `import { sleep } from "hookline";\nasync function charge(id: string) { "use step"; return "charged"; }`,
    );
    const logsDir = await mkdtemp(join(dir, "global-"));
    const files: string[] = [];
    for (let i = 0; i < 300; i++) {
      files.push(join(logsDir, `run-${i}.json`));
      await writeFile(files[i]!, JSON.stringify(log(`wrun_global_${i}`)));
    }
    const result = await cli(["--bundle", global, ...files]);
    expect(result.stdout).toContain("300 runs checked");
    expect(result.stdout).toContain("all replay cleanly.");
    expect(result.code).toBe(0);
  }, 120_000);
});
