/**
 * Cron schedules through the runtime, on the local world and (project "postgres") on PostgreSQL:
 * a schedule declared beside its workflow fires once per tick, keyed by the tick; schedules made
 * and removed at run time with a dedupe key; bad input refused with nothing stored; two processes
 * on one world start one run per tick; a process killed with SIGKILL across its tick leaves that
 * tick to the next start, which runs it once.
 */
import { afterEach, describe, expect, test } from "vitest";
import { registries } from "../src/host/registry.js";
import { InvalidArgumentError } from "../src/shared/errors.js";
import type { ScheduleDeclaration } from "../src/shared/public-types.js";
import type { World } from "../src/world/world.js";
import { type CompiledApp, compileApp } from "./support/app.js";
import { ChildRuntime, openWorld, prepareForChild } from "./support/child-process.js";
import { runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";
import { waitFor } from "./support/wait.js";

const TICK = "workflow//workflows/ticks.ts//tick";

let app: CompiledApp;
async function ticksApp(): Promise<CompiledApp> {
  // The declared cron comes from the environment when a test sets one (child processes inherit it).
  app ??= await compileApp({
    "workflows/ticks.ts": `
      import { schedule } from "hookline";
      export async function tick(label: string) { "use workflow"; return label; }
      export const everySecond = schedule(tick, { id: "every-second", cron: process.env.TEST_TICK_CRON ?? "* * * * * *", args: ["declared"] });
    `,
  });
  return app;
}

function declared(cron = "* * * * * *"): ScheduleDeclaration {
  return { id: "every-second", workflowId: TICK, cron, timezone: "UTC", args: ["declared"] };
}

/** Tick (ISO) → the runs started for it, from the runs' idempotency keys (`schedule:<id>:<tick>`). */
async function runsByTick(world: World, id: string): Promise<Map<string, string[]>> {
  const byTick = new Map<string, string[]>();
  for (const run of await world.listRuns({ limit: 10_000 })) {
    const [created] = await world.readEvents(run.runId);
    const key = created?.type === "run_created" ? created.data.idempotencyKey : undefined;
    if (!key?.startsWith(`schedule:${id}:`)) continue;
    const tick = key.slice(`schedule:${id}:`.length);
    byTick.set(tick, [...(byTick.get(tick) ?? []), run.runId]);
  }
  return byTick;
}

const children: ChildRuntime[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  delete process.env.TEST_TICK_CRON;
});

describe("schedules", () => {
  test("a schedule declared beside its workflow starts one run per tick, keyed by the tick, and listSchedules shows it", async () => {
    const compiled = await ticksApp();
    expect(registries().schedules.get("every-second")).toMatchObject({
      workflowId: TICK,
      cron: "* * * * * *",
      timezone: "UTC",
    });
    // No `schedules` option: the runtime takes what the app's files declared as they loaded.
    const runtime = await runtimeFor(compiled);
    const byTick = await waitFor("three ticks", async () => {
      const runs = await runsByTick(runtime.world, "every-second");
      return runs.size >= 3 && runs;
    });
    for (const [tick, runs] of byTick) {
      expect(runs, tick).toHaveLength(1);
      expect(Date.parse(tick) % 1000, tick).toBe(0);
    }
    const [firstRun] = [...byTick.values()][0]!;
    const { getRun } = await import("../src/api.js");
    expect(await getRun(firstRun!).returnValue).toBe("declared");
    const [info] = await runtime.listSchedules();
    expect(info).toMatchObject({
      id: "every-second",
      workflowId: TICK,
      cron: "* * * * * *",
      timezone: "UTC",
      args: ["declared"],
      origin: "declared",
    });
    expect(info!.nextRunAt!.getTime() - Date.now()).toBeLessThanOrEqual(1000);
    expect(info!.lastRunId).toBeDefined();
    expect(info!.lastTickAt).toBeInstanceOf(Date);
    // A declared schedule is the code's: neither deleted nor taken over at run time.
    const deleted = await runtime.deleteSchedule("every-second").catch((e: unknown) => e);
    expect((deleted as Error).message).toMatch(
      /schedule "every-second" is declared beside workflow .*remove its schedule\(\) call instead/,
    );
    const taken = await runtime
      .createSchedule(TICK, { id: "every-second", cron: "* * * * * *", args: ["declared"] })
      .catch((e: unknown) => e);
    expect((taken as Error).message).toMatch(/id "every-second" is a schedule declared beside workflow/);
    expect((await runtime.listSchedules()).map((s) => s.id)).toEqual(["every-second"]);
  });

  test("createSchedule with a dedupe key makes one schedule; another definition under the key is refused; deleteSchedule stops its ticks", async () => {
    const runtime = await runtimeFor(await ticksApp(), { schedules: [] });
    const options = { id: "customer:42", cron: "* * * * * *", timezone: "Europe/Berlin", args: ["c42"] };
    const first = await runtime.createSchedule(TICK, options);
    expect(first).toMatchObject({ id: "customer:42", created: true, origin: "created", timezone: "Europe/Berlin" });
    const again = await runtime.createSchedule(TICK, options);
    expect(again.created).toBe(false);
    const changed = await runtime.createSchedule(TICK, { ...options, cron: "0 9 * * *" }).catch((e: unknown) => e);
    expect(InvalidArgumentError.is(changed), String(changed)).toBe(true);
    expect((changed as Error).message).toMatch(
      /schedule "customer:42" exists with another definition .* deleteSchedule\("customer:42"\) first/,
    );
    expect((await runtime.listSchedules()).map((s) => s.id)).toEqual(["customer:42"]);

    await waitFor("two ticks", async () => (await runsByTick(runtime.world, "customer:42")).size >= 2);
    expect(await runtime.deleteSchedule("customer:42")).toBe(true);
    expect(await runtime.deleteSchedule("customer:42")).toBe(false);
    const after = (await runsByTick(runtime.world, "customer:42")).size;
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await runsByTick(runtime.world, "customer:42")).size).toBe(after);
    expect(await runtime.listSchedules()).toEqual([]);
  });

  test("a cron that does not parse, an unknown timezone, a missing id, an unknown workflow: refused at the call, nothing stored", async () => {
    const runtime = await runtimeFor(await ticksApp(), { schedules: [] });
    const refusals: Array<[unknown, unknown, RegExp]> = [
      [
        TICK,
        { id: "a", cron: "0 9 * * 1-8" },
        /createSchedule\(\) \(schedule "a"\): cron "0 9 \* \* 1-8": field 5 \(day of week\) "1-8" at position 9 is invalid/,
      ],
      [TICK, { id: "a", cron: "0 61 * * *" }, /field 2 \(hour\) "61" at position 3/],
      [TICK, { id: "a", cron: "0 9 * * *", timezone: "Europe/Berlinn" }, /unknown timezone "Europe\/Berlinn"/],
      [TICK, { cron: "0 9 * * *" }, /options.id is required/],
      [TICK, { id: "", cron: "0 9 * * *" }, /id must be a string of 1 to 128 bytes/],
      [TICK, { id: "a", cron: "0 9 * * *", every: "day" }, /unknown option "every"/],
      [TICK, { id: "a", cron: "0 9 * * *", args: "x" }, /args must be an array/],
      [
        "workflow//workflows/ticks.ts//nope",
        { id: "a", cron: "0 9 * * *" },
        /workflow "workflow\/\/workflows\/ticks.ts\/\/nope" is not in this build/,
      ],
    ];
    for (const [workflow, options, message] of refusals) {
      const error = await runtime.createSchedule(workflow as string, options as never).catch((e: unknown) => e);
      expect((error as Error).message, JSON.stringify(options)).toMatch(message);
    }
    expect(await runtime.listSchedules()).toEqual([]);
    expect(await runtime.world.listRuns()).toEqual([]);
  });

  test("two processes on one world, both firing the declared schedule, start exactly one run per tick", async () => {
    const compiled = await ticksApp();
    await prepareForChild(compiled);
    const shared = await sharedWorld("schedules_two");
    const pair = [new ChildRuntime(compiled, shared), new ChildRuntime(compiled, shared)];
    children.push(...pair);
    await Promise.all(pair.map((child) => child.waitForLine(/^ready$/)));
    const world = await openWorld(shared);
    await world.start();
    try {
      const byTick = await waitFor(
        "five ticks",
        async () => {
          const runs = await runsByTick(world, "every-second");
          return runs.size >= 5 && runs;
        },
        20_000,
      );
      // Each process fires every timer it holds; the tick's start key keeps it to one run.
      for (const [tick, runs] of byTick) expect(runs, tick).toHaveLength(1);
      const schedule = await world.schedules.get("every-second");
      expect(schedule?.origin).toBe("declared");
    } finally {
      await Promise.all(pair.splice(0).map((child) => child.kill()));
      await world.close();
    }
  }, 40_000);

  test("killed with SIGKILL before its ticks, a process's missed ticks run on the next start: the latest one, once", async () => {
    const compiled = await ticksApp();
    await prepareForChild(compiled);
    // Two ticks a second apart, 3 and 4 seconds from now (same minute), and none after them today.
    let now = new Date();
    if (now.getUTCSeconds() > 50) {
      await new Promise((resolve) => setTimeout(resolve, (61 - now.getUTCSeconds()) * 1000));
      now = new Date();
    }
    const s = now.getUTCSeconds();
    const cron = `${s + 3},${s + 4} ${now.getUTCMinutes()} ${now.getUTCHours()} * * *`;
    process.env.TEST_TICK_CRON = cron;
    const shared = await sharedWorld("schedules_kill");
    const child = new ChildRuntime(compiled, shared);
    children.push(child);
    await child.waitForLine(/^ready$/);
    await child.kill();
    // Down across both ticks.
    const firstTick = new Date(now);
    firstTick.setUTCSeconds(s + 3, 0);
    const secondTick = new Date(firstTick.getTime() + 1000);
    await waitFor("both ticks to pass", () => Date.now() > secondTick.getTime() + 500, 10_000);

    const world = await openWorld(shared);
    await world.start();
    expect((await runsByTick(world, "every-second")).size).toBe(0);
    const runtime = await runtimeFor(compiled, { world, schedules: [declared(cron)] });
    const byTick = await waitFor("the missed tick's run", async () => {
      const runs = await runsByTick(runtime.world, "every-second");
      return runs.size > 0 && runs;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...(await runsByTick(runtime.world, "every-second")).keys()]).toEqual([secondTick.toISOString()]);
    expect([...byTick.values()][0]).toHaveLength(1);
  }, 60_000);
});
