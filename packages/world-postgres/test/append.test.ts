/**
 * The log: appends are compare-and-set on seq, enforced by the database; the run summary, the
 * hook index and the wake message change in the same transaction as the event, or not at all.
 */
import {
  EventConflictError,
  HookConflictError,
  HookNotFoundError,
  RunNotFoundError,
  WorldError,
} from "@hookline/core/world";
import { describe, expect, it } from "vitest";
import { ev, newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("append");

async function queueRows(runId: string) {
  const result = await t.db.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${t.db.schema}".queue WHERE run_id = $1`,
    [runId],
  );
  return result.rows[0]!.n;
}

describe("append and readEvents", () => {
  it("stores events at expectedSeq + 1 and reads back only newer ones, in order", async () => {
    const world = await t.world();
    const runId = newRunId();
    const first = await world.append(runId, ev.created(), { expectedSeq: 0 });
    expect(first).toMatchObject({ runId, seq: 1, type: "run_created", v: 1 });
    await world.append(runId, ev.started(), { expectedSeq: 1 });
    await world.append(runId, ev.stepStarted("o1"), { expectedSeq: 2 });
    const fourth = await world.append(runId, ev.stepCompleted("o1", { ok: true }), { expectedSeq: 3 });
    expect(fourth.seq).toBe(4);

    const all = await world.readEvents(runId);
    expect(all.map((e) => [e.seq, e.type])).toEqual([
      [1, "run_created"],
      [2, "run_started"],
      [3, "step_started"],
      [4, "step_completed"],
    ]);
    expect(all[3]).toEqual(fourth);
    expect((await world.readEvents(runId, 2)).map((e) => e.seq)).toEqual([3, 4]);
    expect(await world.readEvents(runId, 4)).toEqual([]);
    expect(await world.readEvents(newRunId())).toEqual([]);
  });

  it("returns event data exactly as readEvents will: key order, unicode, NUL escapes, nesting, no undefined", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    const payload = {
      z: 1,
      a: [1, "two", null, { y: true, b: false }],
      "ünï\u0000cødé 🎉": "\u0000\n\"'",
      big: 1.5e300,
      empty: {},
      gone: undefined,
    };
    const stored = await world.append(runId, ev.stepCompleted("o1", payload), { expectedSeq: 1 });
    const [read] = await world.readEvents(runId, 1);
    expect(read).toEqual(stored);
    const result = (read!.data as { result: Record<string, unknown> }).result;
    expect(Object.keys(result)).toEqual(["z", "a", "ünï\u0000cødé 🎉", "big", "empty"]);
    expect(result["ünï\u0000cødé 🎉"]).toBe("\u0000\n\"'");
    expect("corr" in (await world.readEvents(runId))[0]!).toBe(false);
  });

  it("throws EventConflictError when the seq is taken, and stores nothing", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    await world.append(runId, ev.started(), { expectedSeq: 1 });
    const error = await world.append(runId, ev.stepStarted("o1"), { expectedSeq: 1 }).catch((e: unknown) => e);
    expect(EventConflictError.is(error)).toBe(true);
    expect((error as Error).message).toContain(runId);
    expect((await world.readEvents(runId)).map((e) => e.type)).toEqual(["run_created", "run_started"]);
    expect((await world.getRun(runId))?.lastSeq).toBe(2);
  });

  it("refuses a second run_created for the same run id", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.append(runId, ev.created("wf//a"), { expectedSeq: 0 });
    const error = await world.append(runId, ev.created("wf//b"), { expectedSeq: 0 }).catch((e: unknown) => e);
    expect(EventConflictError.is(error)).toBe(true);
    expect((await world.getRun(runId))?.workflowId).toBe("wf//a");
  });

  it("two instances racing for the same seq: exactly one wins, the other sees the winner's event", async () => {
    const [a, b] = await Promise.all([t.world(), t.world()]);
    for (let round = 0; round < 20; round++) {
      const runId = newRunId();
      await a.append(runId, ev.created(), { expectedSeq: 0 });
      const results = await Promise.allSettled([
        a.append(runId, ev.stepCompleted("o1", "from a"), { expectedSeq: 1 }),
        b.append(runId, ev.stepCompleted("o1", "from b"), { expectedSeq: 1 }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(EventConflictError.is((lost[0] as PromiseRejectedResult).reason)).toBe(true);
      const loser = results[0]!.status === "rejected" ? a : b;
      const seen = await loser.readEvents(runId, 1);
      expect(seen).toEqual([(won[0] as PromiseFulfilledResult<unknown>).value]);
    }
  });

  it("keeps the log contiguous under many concurrent writers", async () => {
    const worlds = await Promise.all([t.world(), t.world(), t.world()]);
    const runId = newRunId();
    await worlds[0]!.append(runId, ev.created(), { expectedSeq: 0 });
    // Each writer appends 15 events, retrying from the log's end after every conflict.
    await Promise.all(
      worlds.map(async (world, w) => {
        for (let i = 0; i < 15; i++) {
          for (;;) {
            const last = (await world.getRun(runId))!.lastSeq;
            try {
              await world.append(runId, ev.stepStarted(`w${w}-${i}`), { expectedSeq: last });
              break;
            } catch (error) {
              if (!EventConflictError.is(error)) throw error;
            }
          }
        }
      }),
    );
    const events = await worlds[1]!.readEvents(runId);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.corr)).size).toBe(46);
  });

  it("refuses appends to unknown runs, past the log's end, and out of place run_created", async () => {
    const world = await t.world();
    const runId = newRunId();
    expect(
      RunNotFoundError.is(await world.append(runId, ev.started(), { expectedSeq: 3 }).catch((e: unknown) => e)),
    ).toBe(true);
    const notFirst = await world.append(runId, ev.started(), { expectedSeq: 0 }).catch((e: unknown) => e);
    expect((notFirst as Error).message).toMatch(/first event must be run_created/);
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    const gap = await world.append(runId, ev.started(), { expectedSeq: 5 }).catch((e: unknown) => e);
    expect(WorldError.is(gap)).toBe(true);
    expect((gap as Error).message).toMatch(/ends at 1/);
    const late = await world.append(newRunId(), ev.created(), { expectedSeq: 3 }).catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/run_created must be a run's first event/);
    expect(await world.readEvents(runId)).toHaveLength(1);
  });

  it("names bad arguments with a WorldError before touching the database", async () => {
    const world = await t.world();
    const runId = newRunId();
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => world.append("", ev.created(), { expectedSeq: 0 }), /run id must be a non-empty string/],
      [() => world.append(runId, { ...ev.created(), at: Number.NaN }, { expectedSeq: 0 }), /at must be a timestamp/],
      [
        () => world.append(runId, { type: "run_started", at: 1, data: null } as never, { expectedSeq: 1 }),
        /data must be an object/,
      ],
      [() => world.append(runId, ev.created(), { expectedSeq: -1 }), /expectedSeq must be a non-negative integer/],
      [() => world.append(runId, ev.created(), undefined as never), /options \{ expectedSeq \} are required/],
      [
        () => world.append(runId, ev.hookCreated("o1", ""), { expectedSeq: 1 }),
        /token hash must be a non-empty string/,
      ],
      [
        () =>
          world.append(runId, { type: "step_completed", at: 1, data: { stepId: "s", result: 1n } }, { expectedSeq: 1 }),
        /data is not JSON/,
      ],
      [
        () => world.append(runId, ev.started(), { expectedSeq: 1, wake: { delayMs: Number.POSITIVE_INFINITY } }),
        /delayMs must be a finite number/,
      ],
      [() => world.readEvents(runId, -2), /afterSeq must be a non-negative integer/],
      [() => world.listRuns({ status: "done" as never }), /unknown status "done"/],
      [() => world.listRuns({ limit: 0 }), /limit must be a positive integer/],
      [() => world.listHooks({ status: "open" as never }), /status must be "active" or "ended"/],
      [() => world.getHook(undefined as never), /token hash must be a non-empty string/],
      [() => world.queue.enqueue({ runId }, { key: "" }), /key must be a non-empty string/],
      [async () => world.onAppend("nope" as never), /listener must be a function/],
      [async () => world.queue.consume(async () => {}, { concurrency: 0 }), /concurrency must be a positive integer/],
    ];
    for (const [call, message] of cases) {
      const error = await call().then(
        () => new Error("no error"),
        (e: unknown) => e,
      );
      expect(WorldError.is(error), `${message}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect(await world.getRun(runId)).toBeNull();
  });
});

describe("run summary", () => {
  it("follows the log as core's projection derives it", async () => {
    const world = await t.world();
    const runId = newRunId();
    const created = await world.append(runId, ev.created("wf//summary"), { expectedSeq: 0 });
    expect(await world.getRun(runId)).toEqual({
      runId,
      workflowId: "wf//summary",
      status: "pending",
      createdAt: created.at,
      updatedAt: created.at,
      lastSeq: 1,
    });
    const started = await world.append(runId, ev.started(), { expectedSeq: 1 });
    await world.append(runId, ev.stepStarted("o1"), { expectedSeq: 2 });
    expect(await world.getRun(runId)).toMatchObject({ status: "running", startedAt: started.at, lastSeq: 3 });
    const done = await world.append(runId, ev.completed(), { expectedSeq: 3 });
    expect(await world.getRun(runId)).toEqual({
      runId,
      workflowId: "wf//summary",
      status: "completed",
      createdAt: created.at,
      updatedAt: done.at,
      startedAt: started.at,
      endedAt: done.at,
      lastSeq: 4,
    });
    expect(await world.getRun(newRunId())).toBeNull();
  });

  it("lists runs newest first, by status and workflow, with a limit", async () => {
    const world = await t.world();
    const workflowId = `wf//list-${newRunId()}`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const runId = newRunId();
      ids.push(runId);
      await world.append(runId, { ...ev.created(workflowId), at: 1_000 + i }, { expectedSeq: 0 });
    }
    await world.append(ids[1]!, ev.started(), { expectedSeq: 1 });
    await world.append(ids[2]!, ev.cancelled(), { expectedSeq: 1 });
    const mine = await world.listRuns({ workflowId });
    expect(mine.map((r) => r.runId)).toEqual([...ids].reverse());
    expect((await world.listRuns({ workflowId, status: "pending" })).map((r) => r.runId)).toEqual([ids[3], ids[0]]);
    expect((await world.listRuns({ workflowId, status: ["running", "cancelled"] })).map((r) => r.runId)).toEqual([
      ids[2],
      ids[1],
    ]);
    expect(await world.listRuns({ workflowId, limit: 2 })).toHaveLength(2);
  });
});

describe("hook index", () => {
  it("claims a token hash, looks it up by hash, and ends it with the hook's end event", async () => {
    const world = await t.world();
    const runId = newRunId();
    const hash = `hash-${newRunId()}`;
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    const created = await world.append(
      runId,
      ev.hookCreated("o1", hash, {
        kind: "webhook",
        keyId: "k1",
        metadata: { order: 7, z: null },
        expiresAt: 9_999_999_999_999,
        webhook: { methods: ["POST"], maxBodyBytes: 1024, dedupe: false },
      }),
      { expectedSeq: 1 },
    );
    expect(await world.getHook(hash)).toEqual({
      tokenHash: hash,
      runId,
      hookId: "o1",
      kind: "webhook",
      status: "active",
      createdAt: created.at,
      expiresAt: 9_999_999_999_999,
      keyId: "k1",
      metadata: { order: 7, z: null },
      webhook: { methods: ["POST"], maxBodyBytes: 1024, dedupe: false },
    });
    const disposed = await world.append(runId, ev.hookDisposed("o1"), { expectedSeq: 2 });
    expect(await world.getHook(hash)).toMatchObject({ status: "ended", endedAt: disposed.at });
    expect(await world.getHook("no-such-hash")).toBeNull();
  });

  it("refuses a token held by another active hook with HookConflictError naming the holder; nothing is appended", async () => {
    const world = await t.world();
    const [holder, other] = [newRunId(), newRunId()];
    const hash = `hash-${newRunId()}`;
    await world.append(holder, ev.created(), { expectedSeq: 0 });
    await world.append(other, ev.created(), { expectedSeq: 0 });
    await world.append(holder, ev.hookCreated("o1", hash), { expectedSeq: 1 });

    const error = await world.append(other, ev.hookCreated("o1", hash), { expectedSeq: 1 }).catch((e: unknown) => e);
    expect(HookConflictError.is(error)).toBe(true);
    expect((error as HookConflictError).heldBy).toBe(holder);
    expect((error as Error).message).toContain(holder);
    expect(await world.readEvents(other, 1)).toEqual([]);
    expect((await world.getRun(other))?.lastSeq).toBe(1);
    // The same run's second hook on the same token conflicts too.
    const again = await world.append(holder, ev.hookCreated("o2", hash), { expectedSeq: 2 }).catch((e: unknown) => e);
    expect((again as HookConflictError).heldBy).toBe(holder);

    // Once the holder ends, the token is free; getHook then finds the new holder.
    await world.append(holder, ev.hookTimedOut("o1"), { expectedSeq: 2 });
    await world.append(other, ev.hookCreated("o1", hash), { expectedSeq: 1 });
    expect(await world.getHook(hash)).toMatchObject({ runId: other, status: "active" });
    await world.append(other, ev.hookDisposed("o1"), { expectedSeq: 2 });
    expect(await world.getHook(hash)).toMatchObject({ runId: other, status: "ended" });
  });

  it("lets exactly one of many runs racing for one token claim it", async () => {
    const worlds = await Promise.all([t.world(), t.world()]);
    const hash = `hash-${newRunId()}`;
    const runs = Array.from({ length: 8 }, newRunId);
    for (const runId of runs) await worlds[0]!.append(runId, ev.created(), { expectedSeq: 0 });
    const results = await Promise.allSettled(
      runs.map((runId, i) => worlds[i % 2]!.append(runId, ev.hookCreated("o1", hash), { expectedSeq: 1 })),
    );
    const winners = runs.filter((_, i) => results[i]!.status === "fulfilled");
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as HookConflictError).heldBy).toBe(winners[0]);
    }
  });

  it("records payloads only for active hooks: HookNotFoundError once the hook or its run ended", async () => {
    const world = await t.world();
    const runId = newRunId();
    const hash = `hash-${newRunId()}`;
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    await world.append(runId, ev.hookCreated("o1", hash), { expectedSeq: 1 });
    await world.append(runId, ev.hookReceived("o1", 1), { expectedSeq: 2 });
    await world.append(runId, ev.hookRejected("o1"), { expectedSeq: 3 });
    const unknown = await world.append(runId, ev.hookReceived("o9", 1), { expectedSeq: 4 }).catch((e: unknown) => e);
    expect(HookNotFoundError.is(unknown)).toBe(true);

    await world.append(runId, ev.hookCreated("o2", `${hash}-2`), { expectedSeq: 4 });
    await world.append(runId, ev.completed(), { expectedSeq: 5 });
    // hook_rejected does not end a hook; run_completed ends them all.
    expect((await world.listHooks({ runId })).map((h) => [h.hookId, h.status])).toEqual([
      ["o1", "ended"],
      ["o2", "ended"],
    ]);
    const late = await world.append(runId, ev.hookReceived("o2", 2), { expectedSeq: 6 }).catch((e: unknown) => e);
    expect(HookNotFoundError.is(late)).toBe(true);
    expect(await world.readEvents(runId, 6)).toEqual([]);
  });

  it("lists hooks by run and status", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0 });
    await world.append(runId, ev.hookCreated("o1", `a-${runId}`), { expectedSeq: 1 });
    await world.append(runId, ev.hookCreated("o2", `b-${runId}`), { expectedSeq: 2 });
    await world.append(runId, ev.hookDisposed("o1"), { expectedSeq: 3 });
    expect((await world.listHooks({ runId })).map((h) => h.hookId)).toEqual(["o1", "o2"]);
    expect((await world.listHooks({ runId, status: "active" })).map((h) => h.hookId)).toEqual(["o2"]);
    expect((await world.listHooks({ status: "active" })).some((h) => h.tokenHash === `b-${runId}`)).toBe(true);
  });
});

describe("wake", () => {
  it("enqueues a drive with the event, and nothing when the append is refused", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.append(runId, ev.created(), { expectedSeq: 0, wake: {} });
    expect(await queueRows(runId)).toBe(1);
    await world.append(runId, ev.hookCreated("o1", `h-${runId}`), { expectedSeq: 1 });
    expect(await queueRows(runId)).toBe(1);
    await world.append(runId, ev.started(), { expectedSeq: 1, wake: {} }).catch(() => {});
    await world.append(runId, ev.hookReceived("o7", 1), { expectedSeq: 2, wake: {} }).catch(() => {});
    expect(await queueRows(runId)).toBe(1);
    await world.append(runId, ev.hookReceived("o1", 1), {
      expectedSeq: 2,
      wake: { delayMs: 60_000, key: `k-${runId}` },
    });
    await world.append(runId, ev.hookReceived("o1", 2), {
      expectedSeq: 3,
      wake: { delayMs: 60_000, key: `k-${runId}` },
    });
    expect(await queueRows(runId)).toBe(2);
  });
});
