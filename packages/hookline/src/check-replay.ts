/**
 * `npx hookline check-replay`: before a deploy, replays the logs of the world's in-flight runs (or
 * log files kept as test fixtures) on the current build's workflow bundle, running nothing, and
 * names every run that would diverge with both calls. Exit code 1 when one would.
 *
 *   hookline check-replay                       the world's unfinished runs (HOOKLINE_WORLD …, --dir)
 *   hookline check-replay logs/*.json           recorded logs: a run's events, or { events }
 *   --bundle <file>   the bundle: a built bundle, or the generated …/_hookline/workflows.ts
 *                     (default: app/.well-known/workflow/v1/_hookline/workflows.ts under --app, else .)
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundleIdOf, checkLogs, checkRuns, type ReplayReport, WorkflowBundle } from "@hookline/core/runtime";
import type { WorkflowEvent } from "@hookline/core/world";
import { worldFromEnv } from "./world-config.js";

export const CHECK_REPLAY_USAGE = `Usage: hookline check-replay [log files…] [options]

Replays in-flight runs (or recorded logs) on the current build's workflow bundle without running
anything, and names every run that would diverge. Exit code 1 if one would.

Options:
  --bundle <file>      the workflow bundle (default: the app's generated _hookline/workflows.ts)
  --app <dir>          the Next.js app (default: the working directory)
  --dir <path>         the local world's folder (else HOOKLINE_LOCAL_DIR, else ./.hookline)
  --json               print JSON instead of text`;

const GENERATED = ["app", "src/app"].map((dir) =>
  join(dir, ".well-known", "workflow", "v1", "_hookline", "workflows.ts"),
);

/** Runs the command; returns the exit code (errors of use are thrown as `usage`). */
export async function checkReplayCommand(argv: string[], usage: (message: string) => Error): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      bundle: { type: "string" },
      app: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(CHECK_REPLAY_USAGE);
    return 0;
  }
  const bundle = await loadBundle(values.bundle, values.app ?? ".", usage);
  const started = performance.now();
  const reports =
    positionals.length > 0 ? await checkFiles(positionals, bundle, usage) : await checkWorld(bundle, values.dir);
  const ms = Math.round(performance.now() - started);
  const diverging = reports.filter((r) => !r.ok);
  if (values.json) console.log(JSON.stringify({ bundleId: bundle.id, checked: reports.length, diverging }, null, 2));
  else {
    for (const r of diverging) console.log(describeReport(r));
    console.log(
      `${reports.length} run${reports.length === 1 ? "" : "s"} checked on build ${bundle.id.slice(0, 12)} in ${ms} ms: ${diverging.length === 0 ? "all replay cleanly." : `${diverging.length} would diverge.`}`,
    );
  }
  return diverging.length === 0 ? 0 : 1;
}

function describeReport(r: ReplayReport & { file?: string }): string {
  const where = r.file ? ` (${r.file})` : "";
  if (!r.divergence) return `run ${r.runId}${where} of ${r.workflowId}: ${r.message}`;
  const { seq, recorded, actual } = r.divergence;
  return `run ${r.runId}${where} of ${r.workflowId} diverges at event ${seq}: the log recorded ${recorded}, the code now calls ${actual}.`;
}

async function loadBundle(
  path: string | undefined,
  app: string,
  usage: (message: string) => Error,
): Promise<WorkflowBundle> {
  const file = path ?? GENERATED.map((p) => join(app, p)).find((p) => existsSync(p));
  if (!file)
    throw usage(
      `No workflow bundle found: build the app (next build) or pass --bundle <file>. Looked for ${GENERATED.join(" and ")} under ${resolve(app)}.`,
    );
  const text = await readFile(file, "utf8").catch(() => {
    throw usage(`Cannot read the bundle ${file}.`);
  });
  // The generated module holds the bundle as a JSON string literal on one line of its own.
  const generated = /^export const workflowBundle: string = (".*");$/m.exec(text);
  const code = generated ? (JSON.parse(generated[1]!) as string) : text;
  return new WorkflowBundle({ code, filename: "hookline-workflows.js" }, bundleIdOf(code));
}

async function checkFiles(
  files: string[],
  bundle: WorkflowBundle,
  usage: (message: string) => Error,
): Promise<Array<ReplayReport & { file: string }>> {
  const logs: WorkflowEvent[][] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw usage(`Cannot read the log ${file}: ${(error as Error).message}`);
    }
    const events = (Array.isArray(parsed) ? parsed : (parsed as { events?: unknown })?.events) as
      | WorkflowEvent[]
      | undefined;
    if (!Array.isArray(events)) throw usage(`${file} holds no log: expected a run's events (an array) or { events }.`);
    logs.push(events);
  }
  // Reports come in the logs' order.
  return (await checkLogs(logs, bundle)).map((report, i) => ({ ...report, file: files[i]! }));
}

async function checkWorld(bundle: WorkflowBundle, dir: string | undefined): Promise<ReplayReport[]> {
  const env = { ...process.env };
  if (dir) {
    env.HOOKLINE_WORLD = "local";
    env.HOOKLINE_LOCAL_DIR = dir;
  }
  const world = await worldFromEnv(env);
  await world.start();
  try {
    return await checkRuns(world, bundle);
  } finally {
    await world.close().catch(() => {});
  }
}
