/**
 * `hookline inspect …` as a user runs it: the CLI in its own process against a real local-world
 * folder (--dir) and a real PostgreSQL (HOOKLINE_WORLD=postgres), holding runs written through
 * the worlds' own append.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { serialize } from "@hookline/core/runtime";
import type { NewEvent, World } from "@hookline/core/world";
import { createLocalWorld } from "@hookline/world-local";
import { createPostgresWorld } from "@hookline/world-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../world-postgres/test/support/database";
import { type PostgresServer, resolvePostgresServer } from "../../world-postgres/test/support/server";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const TOKEN = "raw-webhook-token-never-printed-0123456789";

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--conditions=hookline-source", "--import", "tsx", "src/cli.ts", ...args],
      {
        cwd: PACKAGE,
        env: { ...process.env, HOOKLINE_WORLD: "", ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function append(world: World, runId: string, events: NewEvent[]): Promise<void> {
  let seq = (await world.getRun(runId))?.lastSeq ?? 0;
  for (const event of events) await world.append(runId, event, { expectedSeq: seq++ });
}

/** Two runs: one failed after a retried step, one waiting on a webhook. */
async function seed(world: World, t: number): Promise<{ failed: string; waiting: string }> {
  const failed = `wrun_cli_failed_${t}`;
  const waiting = `wrun_cli_waiting_${t}`;
  const boom = new Error("card declined");
  await append(world, failed, [
    {
      type: "run_created",
      at: t,
      data: {
        workflowId: "workflow//app/checkout.ts//checkout",
        args: serialize(["order-1", { amount: 5 }]),
        seed: "s",
      },
    },
    { type: "run_started", at: t + 1, data: {} },
    { type: "step_started", corr: "o1", at: t + 2, data: { stepId: "step//app/checkout.ts//charge", attempt: 1 } },
    {
      type: "step_failed",
      corr: "o1",
      at: t + 3,
      data: { stepId: "step//app/checkout.ts//charge", attempt: 1, error: serialize(boom), retryAt: t + 100 },
    },
    { type: "step_started", corr: "o1", at: t + 100, data: { stepId: "step//app/checkout.ts//charge", attempt: 2 } },
    {
      type: "step_failed",
      corr: "o1",
      at: t + 101,
      data: { stepId: "step//app/checkout.ts//charge", attempt: 2, error: serialize(boom) },
    },
    { type: "run_failed", at: t + 102, data: { error: serialize(boom) } },
  ]);
  await append(world, waiting, [
    {
      type: "run_created",
      at: t + 200,
      data: { workflowId: "workflow//app/inbox.ts//inbox", args: serialize([]), seed: "s" },
    },
    { type: "run_started", at: t + 201, data: {} },
    {
      type: "hook_created",
      corr: "o1",
      at: t + 202,
      data: {
        kind: "webhook",
        tokenHash: createHash("sha256").update(TOKEN).digest("hex"),
        metadata: serialize({ provider: "psp" }),
        expiresAt: t + 3_600_000,
        webhook: { methods: ["POST"], maxBodyBytes: 1024, dedupe: false },
      },
    },
  ]);
  return { failed, waiting };
}

function suite(
  name: string,
  setUp: () => Promise<{ world: World; env: Record<string, string>; args: string[]; close(): Promise<void> }>,
) {
  describe(`hookline inspect on the ${name} world`, () => {
    let s: Awaited<ReturnType<typeof setUp>>;
    let ids: { failed: string; waiting: string };
    beforeAll(async () => {
      s = await setUp();
      ids = await seed(s.world, Date.now());
    });
    afterAll(async () => {
      await s?.close();
    });
    const run = (...args: string[]) => cli([...args, ...s.args], s.env);

    it("runs --json: newest first, filtered by status", async () => {
      const all = await run("inspect", "runs", "--json");
      expect(all.code).toBe(0);
      const runs = JSON.parse(all.stdout) as { runId: string; status: string; workflowName: string }[];
      expect(runs.map((r) => [r.runId, r.status, r.workflowName])).toEqual([
        [ids.waiting, "running", "inbox"],
        [ids.failed, "failed", "checkout"],
      ]);
      const failed = JSON.parse((await run("inspect", "runs", "--status", "failed", "--json")).stdout) as {
        runId: string;
      }[];
      expect(failed.map((r) => r.runId)).toEqual([ids.failed]);
      const text = await run("inspect", "runs");
      expect(text.stdout).toMatch(new RegExp(`${ids.failed}\\s+checkout\\s+failed`));
    });

    it("run <id> --json: arguments, error with its stack, steps with attempts", async () => {
      const shown = await run("inspect", "run", ids.failed, "--json");
      const run1 = JSON.parse(shown.stdout) as {
        status: string;
        arguments: unknown;
        error: { message: string; stack: string };
        steps: { name: string; attempts: number; status: string }[];
      };
      expect(run1.status).toBe("failed");
      expect(run1.arguments).toEqual(["order-1", { amount: 5 }]);
      expect(run1.error.message).toBe("card declined");
      expect(run1.error.stack).toContain("cli.test.ts");
      expect(run1.steps).toMatchObject([{ name: "charge", attempts: 2, status: "failed" }]);
      expect((await run("inspect", "run", "wrun_nope")).code).toBe(2);
    });

    it("events <id> --json decodes values; hooks --json lists the wait by hash prefix, never the token", async () => {
      const events = JSON.parse((await run("inspect", "events", ids.failed, "--json")).stdout) as {
        seq: number;
        type: string;
        data: Record<string, unknown>;
      }[];
      expect(events.map((e) => e.type)).toEqual([
        "run_created",
        "run_started",
        "step_started",
        "step_failed",
        "step_started",
        "step_failed",
        "run_failed",
      ]);
      expect(events[0]!.data.args).toEqual(["order-1", { amount: 5 }]);
      const hooks = await run("inspect", "hooks", "--json");
      const list = JSON.parse(hooks.stdout) as {
        runId: string;
        kind: string;
        tokenHashPrefix: string;
        metadata: unknown;
      }[];
      expect(list).toMatchObject([
        {
          runId: ids.waiting,
          kind: "webhook",
          tokenHashPrefix: createHash("sha256").update(TOKEN).digest("hex").slice(0, 12),
          metadata: { provider: "psp" },
        },
      ]);
      for (const output of [
        hooks.stdout,
        (await run("inspect", "hooks")).stdout,
        (await run("inspect", "events", ids.waiting, "--json")).stdout,
      ]) {
        expect(output).not.toContain(TOKEN);
        expect(output).not.toContain(createHash("sha256").update(TOKEN).digest("hex"));
      }
    });

    it("schedules --json: each schedule with its next tick and its latest tick's run", async () => {
      expect((await run("inspect", "schedules")).stdout).toContain("No schedules.");
      const id = `report:cli-${Date.now()}`;
      await s.world.schedules.create({
        id,
        workflowId: "workflow//app/report.ts//report",
        cron: "0 9 * * 1-5",
        timezone: "Europe/Berlin",
        args: serialize(["ops"]),
        origin: "created",
        createdAt: 1_000,
        since: 1_000,
      });
      await s.world.schedules.recordTick(id, Date.parse("2026-12-07T08:00:00Z"), ids.failed);
      const listed = JSON.parse((await run("inspect", "schedules", "--json")).stdout) as Record<string, unknown>[];
      expect(listed).toEqual([
        expect.objectContaining({
          id,
          cron: "0 9 * * 1-5",
          timezone: "Europe/Berlin",
          args: ["ops"],
          origin: "created",
          lastTickAt: "2026-12-07T08:00:00.000Z",
          lastRunId: ids.failed,
        }),
      ]);
      // 09:00 in Berlin is 07:00 or 08:00 UTC, on a weekday.
      const next = new Date(listed[0]!.nextRunAt as string);
      expect([7, 8]).toContain(next.getUTCHours());
      expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
      expect((await run("inspect", "schedules")).stdout).toMatch(
        new RegExp(`${id}\\s+workflow//app/report.ts//report\\s+0 9 \\* \\* 1-5\\s+Europe/Berlin\\s+created`),
      );
      await s.world.schedules.delete(id);
    });

    it("wake <id> <sleep> records the sleep's early sleep_completed; again, or a made-up sleep, changes nothing", async () => {
      const t = Date.now();
      const napping = `wrun_cli_napping_${t}`;
      await append(s.world, napping, [
        {
          type: "run_created",
          at: t,
          data: { workflowId: "workflow//app/nap.ts//nap", args: serialize([]), seed: "s" },
        },
        { type: "run_started", at: t + 1, data: {} },
        { type: "sleep_started", corr: "o1", at: t + 2, data: { until: t + 3_600_000 } },
      ]);
      const woken = await run("inspect", "wake", napping, "o1", "--json");
      expect([woken.code, woken.stderr]).toEqual([0, ""]);
      expect(JSON.parse(woken.stdout)).toEqual({ runId: napping, sleepId: "o1", woken: true });
      expect((await s.world.readEvents(napping)).at(-1)).toMatchObject({
        type: "sleep_completed",
        corr: "o1",
        data: { early: true },
      });
      expect((await run("inspect", "wake", napping, "o1")).stdout).toContain("had already ended");
      expect((await run("inspect", "wake", napping, "o7")).code).toBe(1);
      expect((await run("inspect", "wake", napping)).code).toBe(2);
      expect(await s.world.readEvents(napping)).toHaveLength(4);
      await append(s.world, napping, [{ type: "run_cancelled", at: t + 3, data: {} }]);
    });

    it("cancel <id> records run_cancelled with the reason and ends the wait", async () => {
      const cancelled = await run("inspect", "cancel", ids.waiting, "--reason", "stuck at the PSP");
      expect([cancelled.code, cancelled.stderr]).toEqual([0, ""]);
      expect(cancelled.stdout).toContain(`Cancelled ${ids.waiting}`);
      const events = await s.world.readEvents(ids.waiting);
      expect(events.at(-1)).toMatchObject({ type: "run_cancelled", data: { reason: "stuck at the PSP" } });
      expect(JSON.parse((await run("inspect", "hooks", "--json")).stdout)).toEqual([]);
      expect((await run("inspect", "cancel", ids.failed)).stdout).toContain("had already ended");
    });
  });
}

suite("local", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hookline-cli-"));
  const world = createLocalWorld({ dir });
  await world.start();
  return { world, env: {}, args: ["--dir", dir], close: () => world.close() };
});

let server: PostgresServer;
let db: TestDatabase;
suite("postgres", async () => {
  server = await resolvePostgresServer();
  db = await createTestDatabase(server.url, "cli");
  const world = createPostgresWorld({ connectionString: db.url, schema: db.schema });
  await world.start();
  return {
    world,
    env: { HOOKLINE_WORLD: "postgres", HOOKLINE_POSTGRES_URL: db.url },
    args: [],
    async close() {
      await world.close();
      await db.drop();
      await server.stop();
    },
  };
});
