import { DuplicateStartError, EventConflictError, type NewEvent, type World } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { ev, settle, uniqueId } from "../helpers.js";

/** A run_created holding `key` (until `expiresAt`, when given). */
function keyed(key: string, options: { workflowId?: string; at?: number; expiresAt?: number } = {}): NewEvent {
  const created = ev.runCreated(options.workflowId ?? "wf//keyed", options.at ?? Date.now());
  if (created.type !== "run_created") throw new Error("ev.runCreated made no run_created");
  const expiry = options.expiresAt === undefined ? {} : { idempotencyKeyExpiresAt: options.expiresAt };
  return { ...created, data: { ...created.data, idempotencyKey: key, ...expiry } };
}

async function exists(world: World, runId: string): Promise<boolean> {
  return (await world.getRun(runId)) !== null || (await world.readEvents(runId)).length > 0;
}

/** Races `racers` starts with one key over `worlds` (round robin); expects exactly one run, which every loser names. */
async function raceOneKey(worlds: [World, ...World[]], racers: number): Promise<void> {
  const key = uniqueId("key");
  const runIds = Array.from({ length: racers }, () => uniqueId("run"));
  const outcomes = await settle(
    runIds.map((runId, i) => (worlds[i % worlds.length] ?? worlds[0]).append(runId, keyed(key), { expectedSeq: 0 })),
  );
  const winners = runIds.filter((_, i) => outcomes[i]?.ok);
  expect(winners).toHaveLength(1);
  for (const outcome of outcomes) {
    if (outcome.ok) continue;
    expect(DuplicateStartError.is(outcome.error), String(outcome.error)).toBe(true);
    expect(outcome.error).toMatchObject({ runId: winners[0], workflowId: "wf//keyed" });
  }
  for (const runId of runIds) expect(await exists(worlds[0], runId)).toBe(runId === winners[0]);
}

/** Idempotent starts: run_created with an idempotency key (World.append's contract). */
export function startKeyTests(h: Harness) {
  describe("idempotency keys on run_created", () => {
    test("a second run with a held key is refused, naming the holder, and nothing of it is recorded", async () => {
      const key = uniqueId("key");
      const first = uniqueId("run");
      await h.world.append(first, keyed(key, { workflowId: "wf//first" }), { expectedSeq: 0 });
      const second = uniqueId("run");
      const refused = await h.world
        .append(second, keyed(key, { workflowId: "wf//second" }), { expectedSeq: 0 })
        .catch((error) => error);
      expect(DuplicateStartError.is(refused), String(refused)).toBe(true);
      expect(refused).toMatchObject({ runId: first, workflowId: "wf//first", code: "HOOKLINE_DUPLICATE_START" });
      expect(await exists(h.world, second)).toBe(false);
      expect(await h.world.getRun(first)).toMatchObject({ status: "pending", lastSeq: 1 });
    });

    test("keys are exact: another key, or no key, starts its own run", async () => {
      const key = uniqueId("key");
      await h.world.append(uniqueId("run"), keyed(key), { expectedSeq: 0 });
      await h.world.append(uniqueId("run"), keyed(`${key} `), { expectedSeq: 0 });
      await h.world.append(uniqueId("run"), keyed(key.toUpperCase()), { expectedSeq: 0 });
      await h.world.append(uniqueId("run"), ev.runCreated("wf//keyed"), { expectedSeq: 0 });
    });

    test("a key whose expiry has passed goes to the next run; an unexpired one does not", async () => {
      const key = uniqueId("key");
      const t = Date.now();
      const first = uniqueId("run");
      await h.world.append(first, keyed(key, { at: t, expiresAt: t + 1_000 }), { expectedSeq: 0 });
      const early = await h.world
        .append(uniqueId("run"), keyed(key, { at: t + 999 }), { expectedSeq: 0 })
        .catch((error) => error);
      expect(early).toMatchObject({ runId: first });
      const second = uniqueId("run");
      await h.world.append(second, keyed(key, { at: t + 1_000 }), { expectedSeq: 0 });
      // The new holder keeps it for ever (no expiry given).
      const later = await h.world
        .append(uniqueId("run"), keyed(key, { at: t + 10_000_000 }), { expectedSeq: 0 })
        .catch((error) => error);
      expect(later).toMatchObject({ runId: second });
    });

    test("a keyed run_created the log refuses does not take the key", async () => {
      const key = uniqueId("key");
      const taken = uniqueId("run");
      await h.world.append(taken, ev.runCreated("wf//keyed"), { expectedSeq: 0 });
      const refused = await h.world.append(taken, keyed(key), { expectedSeq: 0 }).catch((error) => error);
      expect(EventConflictError.is(refused), String(refused)).toBe(true);
      expect((await h.world.readEvents(taken)).map((e) => e.data)).not.toContainEqual(
        expect.objectContaining({ idempotencyKey: key }),
      );
      const next = uniqueId("run");
      await h.world.append(next, keyed(key), { expectedSeq: 0 });
      expect(await exists(h.world, next)).toBe(true);
    });

    test("starts racing with one key create exactly one run", async () => {
      await raceOneKey([h.world], Math.max(h.options.racers, 16));
    });

    test("starts racing with one key on two instances create exactly one run", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      for (let round = 0; round < 3; round++) await raceOneKey([h.world, other], Math.max(h.options.racers, 16));
    });

    test("a held key survives a restart", async ({ skip }) => {
      if (!h.canReopen) skip();
      const key = uniqueId("key");
      const first = uniqueId("run");
      await h.world.append(first, keyed(key), { expectedSeq: 0 });
      const world = await h.reopen();
      const refused = await world.append(uniqueId("run"), keyed(key), { expectedSeq: 0 }).catch((error) => error);
      expect(refused).toMatchObject({ runId: first, code: "HOOKLINE_DUPLICATE_START" });
    });

    test("a malformed key is refused before anything is written", async () => {
      const runId = uniqueId("run");
      for (const key of ["", 42]) {
        const created = keyed("placeholder");
        const bad = { ...created, data: { ...created.data, idempotencyKey: key } } as NewEvent;
        await expect(h.world.append(runId, bad, { expectedSeq: 0 })).rejects.toThrow(/idempotencyKey/);
      }
      const created = ev.runCreated("wf//keyed");
      const expiryWithoutKey = {
        ...created,
        data: { ...created.data, idempotencyKeyExpiresAt: Date.now() },
      } as NewEvent;
      await expect(h.world.append(runId, expiryWithoutKey, { expectedSeq: 0 })).rejects.toThrow(
        /idempotencyKeyExpiresAt/,
      );
      expect(await exists(h.world, runId)).toBe(false);
    });
  });
}
