#!/usr/bin/env node
/**
 * `npx hookline inspect …`: the inspector in a terminal, reading the world the app uses (the same
 * environment variables: HOOKLINE_WORLD, HOOKLINE_LOCAL_DIR, HOOKLINE_POSTGRES_URL …; `--dir` for
 * a local world's folder). Never prints a raw webhook token: the world does not hold one.
 *
 *   hookline inspect runs [--status s] [--workflow id] [--limit n] [--json]
 *   hookline inspect run <id> [--json]
 *   hookline inspect events <id> [--json] [--raw]
 *   hookline inspect hooks [--run id] [--json]
 *   hookline inspect schedules [--json]
 *   hookline inspect cancel <id> [--reason text]
 *   hookline inspect wake <id> <sleep id>
 *   hookline inspect --web [--port 4000] [--host 127.0.0.1]   (see inspect-web.ts)
 *   hookline check-replay [log files…] [--bundle file]   (see check-replay.ts)
 */
import { parseArgs } from "node:util";
import { runInfo, scheduleInfo, stepsOf, waitsOf } from "@hookline/core/runtime";
import type { HookRecord, RunStatus, WorkflowEvent, World } from "@hookline/core/world";
import { decodeValue, plainValue } from "@hookline/next/server";
import { CHECK_REPLAY_USAGE, checkReplayCommand } from "./check-replay.js";
import { withRuntime } from "./cli-runtime.js";
import { inspectWeb } from "./inspect-web.js";
import { worldFromEnv } from "./world-config.js";

const USAGE = `Usage: hookline inspect <command> [options]

Commands:
  runs                 runs, newest first (--status, --workflow, --limit)
  run <id>             one run: status, arguments, result or error, steps, waits
  events <id>          a run's event log, values decoded (--raw: as stored, JSON: a fixture
                       for \`hookline check-replay <file>\` and replayLog())
  hooks                pending hooks and webhooks (--run <id>)
  schedules            cron schedules with their next and latest ticks
  cancel <id>          cancel a run (--reason <text>)
  wake <id> <sleep>    end a run's sleep now (its id as \`run <id>\` lists it under waits, e.g. o2)
  --web                the inspector's pages on http://127.0.0.1:4000 without the app
                       (--port, --host; behind a login when HOOKLINE_INSPECTOR_TOKEN is set)

Options:
  --json               print JSON instead of text
  --dir <path>         the local world's folder (else HOOKLINE_LOCAL_DIR, else ./.hookline)
  Environment: HOOKLINE_WORLD=local|postgres, HOOKLINE_POSTGRES_URL, HOOKLINE_LOCAL_DIR, HOOKLINE_SECRET`;

const STATUSES = new Set(["pending", "running", "completed", "failed", "cancelled"]);
const SERIALIZED_FIELDS = ["args", "result", "error", "payload", "metadata", "response"] as const;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "check-replay") return checkReplayCommand(argv.slice(1), (message) => new UsageError(message));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      dir: { type: "string" },
      status: { type: "string" },
      workflow: { type: "string" },
      limit: { type: "string" },
      run: { type: "string" },
      reason: { type: "string" },
      raw: { type: "boolean" },
      web: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, command, id, sleep] = positionals;
  if (values.help || group !== "inspect" || (!command && !values.web)) {
    console.log(`${USAGE}\n\n${CHECK_REPLAY_USAGE}`);
    return values.help ? 0 : 2;
  }
  const env = { ...process.env };
  if (values.dir) {
    env.HOOKLINE_WORLD = "local";
    env.HOOKLINE_LOCAL_DIR = values.dir;
  }
  const world = await worldFromEnv(env);
  await world.start();
  try {
    if (values.web) return await inspectWeb(world, values, (message) => new UsageError(message));
    const out = await run(world, command!, id, { ...values, sleep });
    console.log(values.json ? JSON.stringify(out.json, null, 2) : out.text);
    return 0;
  } finally {
    await world.close().catch(() => {});
  }
}

type Options = {
  status?: string;
  workflow?: string;
  limit?: string;
  run?: string;
  reason?: string;
  sleep?: string;
  raw?: boolean;
};

async function run(
  world: World,
  command: string,
  id: string | undefined,
  options: Options,
): Promise<{ json: unknown; text: string }> {
  const need = () => {
    if (!id) throw new UsageError(`hookline inspect ${command} needs a run id.`);
    return id;
  };
  switch (command) {
    case "runs": {
      if (options.status !== undefined && !STATUSES.has(options.status))
        throw new UsageError(`--status must be one of ${[...STATUSES].join(", ")}.`);
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive whole number.");
      const runs = (
        await world.listRuns({ status: options.status as RunStatus | undefined, workflowId: options.workflow, limit })
      ).map(runInfo);
      const json = runs.map((r) => ({
        ...r,
        createdAt: iso(r.createdAt),
        startedAt: iso(r.startedAt),
        endedAt: iso(r.endedAt),
      }));
      const text = table(
        ["RUN", "WORKFLOW", "STATUS", "CREATED", "ENDED"],
        runs.map((r) => [r.runId, r.workflowName, r.status, iso(r.createdAt) ?? "", iso(r.endedAt) ?? ""]),
      );
      return { json, text: runs.length ? text : "No runs." };
    }
    case "run": {
      const runId = need();
      const summary = await world.getRun(runId);
      if (!summary) throw new UsageError(`No run with id "${runId}".`);
      const events = await world.readEvents(runId);
      const info = runInfo(summary);
      const created = events.find((e) => e.type === "run_created");
      const end = events.findLast(
        (e) => e.type === "run_completed" || e.type === "run_failed" || e.type === "run_cancelled",
      );
      const json = {
        ...info,
        createdAt: iso(info.createdAt),
        startedAt: iso(info.startedAt),
        endedAt: iso(info.endedAt),
        arguments: created?.type === "run_created" ? value(created.data.args) : undefined,
        result: end?.type === "run_completed" ? value(end.data.result) : undefined,
        error: end?.type === "run_failed" ? value(end.data.error) : undefined,
        cancelReason: end?.type === "run_cancelled" ? (end.data.reason ?? null) : undefined,
        steps: stepsOf(events),
        waits: waitsOf(events),
        hooks: (await world.listHooks({ runId, status: "active" })).map(hookJson),
        events: events.length,
      };
      const lines = [
        `Run       ${info.runId}`,
        `Workflow  ${info.workflowName} (${info.workflowId})`,
        `Status    ${info.status}`,
        `Created   ${iso(info.createdAt)}`,
        `Ended     ${iso(info.endedAt) ?? "-"}`,
        `Arguments ${JSON.stringify(json.arguments)}`,
      ];
      if (json.result !== undefined) lines.push(`Result    ${JSON.stringify(json.result, null, 2)}`);
      if (json.error !== undefined) lines.push(`Error     ${errorText(json.error)}`);
      if (json.cancelReason !== undefined) lines.push(`Cancelled ${json.cancelReason ?? "(no reason)"}`);
      if (json.steps.length)
        lines.push(
          "",
          table(
            ["STEP", "STATUS", "ATTEMPTS", "ERROR"],
            json.steps.map((s) => [s.name, s.status, String(s.attempts), s.error ?? ""]),
          ),
        );
      if (json.waits.length)
        lines.push(
          "",
          table(
            ["WAIT", "KIND", "UNTIL"],
            json.waits.map((w) => [w.id, w.kind, iso(w.until) ?? "-"]),
          ),
        );
      return { json, text: lines.join("\n") };
    }
    case "events": {
      const runId = need();
      const events = await world.readEvents(runId);
      if (events.length === 0) throw new UsageError(`No run with id "${runId}".`);
      if (options.raw) return { json: { events }, text: JSON.stringify({ events }, null, 2) };
      const json = events.map(eventJson);
      return {
        json,
        text: json
          .map(
            (e) =>
              `${String(e.seq).padStart(4)}  ${e.at}  ${(e.corr ?? "").padEnd(5)} ${e.type}  ${JSON.stringify(e.data)}`,
          )
          .join("\n"),
      };
    }
    case "hooks": {
      const hooks = (await world.listHooks({ status: "active", ...(options.run ? { runId: options.run } : {}) })).map(
        hookJson,
      );
      const text = table(
        ["TOKEN HASH", "KIND", "RUN", "OP", "EXPIRES", "METADATA"],
        hooks.map((h) => [
          h.tokenHashPrefix,
          h.kind,
          h.runId,
          h.hookId,
          h.expiresAt ?? "-",
          JSON.stringify(h.metadata) ?? "",
        ]),
      );
      return { json: hooks, text: hooks.length ? text : "No pending hooks." };
    }
    case "schedules": {
      const schedules = (await world.schedules.list()).map(scheduleInfo);
      const json = schedules.map((x) => ({
        ...x,
        createdAt: iso(x.createdAt),
        nextRunAt: iso(x.nextRunAt),
        lastTickAt: iso(x.lastTickAt),
      }));
      const text = table(
        ["SCHEDULE", "WORKFLOW", "CRON", "TIMEZONE", "ORIGIN", "NEXT", "LAST TICK", "LAST RUN"],
        json.map((x) => [
          x.id,
          x.workflowId,
          x.cron,
          x.timezone,
          x.origin,
          x.nextRunAt ?? "-",
          x.lastTickAt ?? "-",
          x.lastRunId ?? "-",
        ]),
      );
      return { json, text: json.length ? text : "No schedules." };
    }
    case "cancel": {
      const runId = need();
      const before = await world.getRun(runId);
      if (!before) throw new UsageError(`No run with id "${runId}".`);
      await withRuntime(world, (runtime) => runtime.cancel(runId, options.reason));
      const after = (await world.getRun(runId))?.status;
      const text =
        after === "cancelled"
          ? `Cancelled ${runId}.`
          : `${runId} had already ended (${before.status}); nothing to cancel.`;
      return {
        json: { runId, status: after, cancelled: after === "cancelled" && before.status !== "cancelled" },
        text,
      };
    }
    case "wake": {
      const runId = need();
      if (!options.sleep)
        throw new UsageError(
          "hookline inspect wake needs a run id and a sleep id (see the waits of `hookline inspect run <id>`).",
        );
      if (!(await world.getRun(runId))) throw new UsageError(`No run with id "${runId}".`);
      const woken = await withRuntime(world, (runtime) => runtime.wakeSleep(runId, options.sleep!));
      const text = woken
        ? `Woke sleep ${options.sleep} of ${runId}.`
        : `Sleep ${options.sleep} of ${runId} had already ended; nothing to wake.`;
      return { json: { runId, sleepId: options.sleep, woken }, text };
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

function value(serialized: unknown): unknown {
  return plainValue(decodeValue(serialized));
}

function eventJson(event: WorkflowEvent) {
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  for (const field of SERIALIZED_FIELDS) if (field in data) data[field] = value(data[field]);
  if (typeof data.tokenHash === "string") data.tokenHash = data.tokenHash.slice(0, 12);
  return { seq: event.seq, type: event.type, at: new Date(event.at).toISOString(), corr: event.corr, data };
}

function hookJson(record: HookRecord) {
  return {
    tokenHashPrefix: record.tokenHash.slice(0, 12),
    kind: record.kind,
    runId: record.runId,
    hookId: record.hookId,
    status: record.status,
    metadata: record.metadata === undefined ? undefined : value(record.metadata),
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: record.expiresAt === undefined ? undefined : new Date(record.expiresAt).toISOString(),
  };
}

function iso(date: Date | null | undefined): string | undefined {
  return date?.toISOString();
}

function errorText(error: unknown): string {
  const e = error as { stack?: string; name?: string; message?: string };
  return e?.stack ?? `${e?.name}: ${e?.message}`;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof UsageError
        ? error.message
        : `hookline: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
