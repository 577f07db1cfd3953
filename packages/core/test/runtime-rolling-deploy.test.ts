/**
 * A rolling deploy on PostgreSQL: instances of build A and build B share one database. A run of A
 * is replayed with A's workflow code by either instance (B reads A's bundle from the world); a step
 * B removed waits for an instance of A instead of failing the run (docs/deploys.md), and fails
 * with StepNotRegisteredError only when no instance of A turns up in time.
 */
import { describe, expect, test } from "vitest";
import { createPostgresWorld } from "../../world-postgres/src/index.js";
import { getRun } from "../src/api.js";
import { StepNotRegisteredError } from "../src/shared/errors.js";
import { BUILD_A, BUILD_B, build, WF } from "./support/builds.js";
import { closeRuntime, runtimeFor } from "./support/runtimes.js";
import { sharedWorld } from "./support/shared-world.js";

/** Build A with a step (`audit`) that build B removed. */
const A_WITH_AUDIT = BUILD_A.replace(
  'return { build: "A", charged, approval, shipped };',
  'const audited = await audit(id);\n    return { build: "A", charged, approval, shipped, audited };',
).replace(
  "async function ship",
  'async function audit(id: string) { "use step"; return "A-audit " + id; }\n  async function ship',
);

describe.skipIf(process.env.HOOKLINE_TEST_WORLD !== "postgres")("rolling deploy on PostgreSQL", () => {
  async function database(): Promise<{ connectionString: string; schema: string }> {
    const shared = await sharedWorld("rolling");
    if (!("postgres" in shared)) throw new Error("the postgres project gives a PostgreSQL schema");
    return shared.postgres;
  }

  async function instance(connection: { connectionString: string; schema: string }) {
    return createPostgresWorld({ ...connection, redeliveryDelayMs: 50, maxRedeliveryDelayMs: 300 });
  }

  test("runs of A finish on A's workflow code on either instance; a step only A has waits for A's instance; new runs use B", async () => {
    const postgres = await database();
    const a = await build(A_WITH_AUDIT);
    const b = await build(BUILD_B);
    const first = await runtimeFor(a, { world: await instance(postgres), steps: a.steps });
    const runs = await Promise.all(["r1", "r2", "r3"].map((id) => first.start(WF, [id])));
    await expect
      .poll(async () => (await first.world.listHooks({ status: "active" })).length, { timeout: 10_000 })
      .toBe(3);
    await closeRuntime(first);

    // Only B is up: it replays A's runs with A's bundle (read from the database), runs `ship`
    // with its own code, and leaves `audit`, which it lacks, for an instance of A.
    const second = await runtimeFor(b, { world: await instance(postgres), steps: b.steps, missingStepWaitMs: 60_000 });
    for (const id of ["r1", "r2", "r3"]) await second.resumeHook(`approve:${id}`, "yes");
    await expect
      .poll(
        async () =>
          (await Promise.all(runs.map((r) => second.world.readEvents(r.runId)))).every((log) =>
            log.some((e) => e.type === "step_completed" && e.data.stepId.endsWith("//ship")),
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const run of runs) {
      const log = await second.world.readEvents(run.runId);
      expect(
        log.some((e) => e.type.startsWith("step_") && "stepId" in e.data && e.data.stepId.endsWith("//audit")),
      ).toBe(false);
      expect((await second.world.getRun(run.runId))?.status).toBe("running");
    }
    const fresh = await second.start(WF, ["n1"]);

    // An instance of A joins: it runs `audit`; the runs end on A's code with B's `ship`.
    const third = await runtimeFor(a, { world: await instance(postgres), steps: a.steps });
    for (const [i, run] of runs.entries()) {
      const id = `r${i + 1}`;
      await expect(getRun(run.runId).returnValue).resolves.toEqual({
        build: "A",
        charged: `A-charge ${id}`,
        approval: "yes",
        shipped: `B-ship ${id}`,
        audited: `A-audit ${id}`,
      });
    }
    await expect
      .poll(async () => (await third.world.listHooks({ runId: fresh.runId, status: "active" })).length, {
        timeout: 10_000,
      })
      .toBe(1);
    await second.resumeHook("approve:n1", "ok");
    await expect(getRun(fresh.runId).returnValue).resolves.toMatchObject({ build: "B", approval: "ok" });
  });

  test("with no instance of A in time, the step fails with StepNotRegisteredError naming both builds", async () => {
    const postgres = await database();
    const a = await build(A_WITH_AUDIT);
    const b = await build(BUILD_B);
    const first = await runtimeFor(a, { world: await instance(postgres), steps: a.steps });
    const run = await first.start(WF, ["late"]);
    await expect
      .poll(async () => (await first.world.listHooks({ status: "active" })).length, { timeout: 10_000 })
      .toBe(1);
    await closeRuntime(first);
    const second = await runtimeFor(b, { world: await instance(postgres), steps: b.steps, missingStepWaitMs: 300 });
    await second.resumeHook("approve:late", "yes");
    const error = await getRun(run.runId).returnValue.catch((e: { cause: unknown }) => e.cause);
    expect(StepNotRegisteredError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /Step "step\/\/workflows\/deploy.ts\/\/audit" is not registered in the current build \(build [0-9a-f]{12}\), but run .* started on build [0-9a-f]{12}/,
    );
  });
});
