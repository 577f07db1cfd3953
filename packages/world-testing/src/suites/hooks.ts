import {
  EventConflictError,
  HookConflictError,
  HookNotFoundError,
  type HookRecord,
  hookIndexChange,
  type NewEvent,
  type WorkflowEvent,
} from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, newTokenHash, settle, uniqueId } from "../helpers.js";

/** The record a world must derive for a stored hook_created (core's hookIndexChange). */
function claimOf(event: WorkflowEvent): HookRecord {
  const change = hookIndexChange(event);
  if (change?.kind !== "claim") throw new Error(`${event.type} claims no token`);
  return change.record;
}

export function hookTests(h: Harness) {
  describe("hook index", () => {
    test("hook_created claims its token hash; getHook finds the record by hash", async () => {
      const runId = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      const event = ev.hookCreated("o1", tokenHash, {
        kind: "webhook",
        keyId: "k1",
        metadata: { purpose: "payment", n: 1 },
        expiresAt: Date.now() + 3_600_000,
        webhook: {
          methods: ["POST", "PUT"],
          maxBodyBytes: 1024,
          dedupe: ["webhook-id"],
          respondWith: "manual",
          responseTimeoutMs: 5000,
        },
      });
      const stored = await h.world.append(runId, event, { expectedSeq: 2 });
      const record = await h.world.getHook(tokenHash);
      expect(record).toEqual(claimOf(stored));
      expect(record).toMatchObject({ tokenHash, runId, hookId: "o1", kind: "webhook", status: "active" });
      expect(await h.world.getHook(newTokenHash())).toBeNull();
    });

    test("getHook finds each of many hooks by its hash alone", async () => {
      const hashes = new Map<string, { runId: string; hookId: string }>();
      for (let r = 0; r < 10; r++) {
        const runId = await createRun(h.world, { started: true });
        const events: NewEvent[] = [];
        for (let i = 0; i < 20; i++) {
          const tokenHash = newTokenHash();
          hashes.set(tokenHash, { runId, hookId: `o${i}` });
          events.push(ev.hookCreated(`o${i}`, tokenHash));
        }
        await appendAll(h.world, runId, events, 2);
      }
      for (const [tokenHash, expected] of hashes)
        expect(await h.world.getHook(tokenHash)).toMatchObject({ tokenHash, status: "active", ...expected });
      for (let i = 0; i < 20; i++) expect(await h.world.getHook(newTokenHash())).toBeNull();
    });

    test("a token held by an active hook of another run is refused with HookConflictError naming the holder, and nothing is appended", async () => {
      const holder = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      await h.world.append(holder, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      const other = await createRun(h.world, { started: true });
      const error = await h.world
        .append(other, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 })
        .catch((e: unknown) => e);
      expect(HookConflictError.is(error), `expected HookConflictError, got ${String(error)}`).toBe(true);
      expect((error as HookConflictError).message).toContain(holder);
      expect((error as HookConflictError).heldBy).toBe(holder);
      expect(await h.world.readEvents(other, 2)).toEqual([]);
      // The seq stayed free: the runtime records the conflict there instead.
      expect((await h.world.append(other, ev.hookConflicted("o1", holder), { expectedSeq: 2 })).seq).toBe(3);
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId: holder, hookId: "o1", status: "active" });
      expect(await h.world.listHooks({ runId: other })).toEqual([]);
    });

    test("a second hook of the same run cannot take a token the run already holds", async () => {
      const runId = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      await h.world.append(runId, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      const error = await h.world
        .append(runId, ev.hookCreated("o2", tokenHash), { expectedSeq: 3 })
        .catch((e: unknown) => e);
      expect(HookConflictError.is(error), `expected HookConflictError, got ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain(runId);
      expect(await h.world.readEvents(runId, 3)).toEqual([]);
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId, hookId: "o1", status: "active" });
    });

    test("of N runs racing to claim one token exactly one gets it", async () => {
      const tokenHash = newTokenHash();
      const runs = await Promise.all(
        Array.from({ length: h.options.racers }, () => createRun(h.world, { started: true })),
      );
      const outcomes = await settle(
        runs.map((runId) => h.world.append(runId, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 })),
      );
      const won = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
      expect(won).toHaveLength(1);
      for (const outcome of outcomes)
        if (!outcome.ok) expect(HookConflictError.is(outcome.error), String(outcome.error)).toBe(true);
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId: won[0]!.runId, status: "active" });
      const appended = await Promise.all(runs.map((runId) => h.world.readEvents(runId, 2)));
      expect(appended.flat()).toEqual(won);
    });

    test.each([
      ["hook_disposed", ev.hookDisposed],
      ["hook_timed_out", ev.hookTimedOut],
    ] as const)("after %s the hook is ended and its token can be used again", async (_type, end) => {
      const first = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      const created = await h.world.append(first, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      const endedAt = Date.now() + 5;
      await h.world.append(first, end("o1", endedAt), { expectedSeq: 3 });
      expect(await h.world.getHook(tokenHash)).toEqual({ ...claimOf(created), status: "ended", endedAt });
      expect(await h.world.listHooks({ runId: first })).toEqual([{ ...claimOf(created), status: "ended", endedAt }]);

      const second = await createRun(h.world, { started: true });
      const reclaimed = await h.world.append(second, ev.hookCreated("o7", tokenHash), { expectedSeq: 2 });
      expect(await h.world.getHook(tokenHash)).toEqual(claimOf(reclaimed));
      // The first run's hook stays ended in its own listing.
      expect(await h.world.listHooks({ runId: first })).toEqual([{ ...claimOf(created), status: "ended", endedAt }]);
    });

    test.each([
      ["run_completed", ev.runCompleted],
      ["run_failed", ev.runFailed],
      ["run_cancelled", ev.runCancelled],
    ] as const)("%s ends every active hook of the run", async (_type, end) => {
      const runId = await createRun(h.world, { started: true });
      const [a, b, c] = [newTokenHash(), newTokenHash(), newTokenHash()];
      await appendAll(
        h.world,
        runId,
        [ev.hookCreated("o1", a), ev.hookCreated("o2", b), ev.hookCreated("o3", c), ev.hookDisposed("o2", 42)],
        2,
      );
      const endedAt = Date.now() + 7;
      await h.world.append(runId, end(endedAt), { expectedSeq: 6 });
      expect(await h.world.getHook(a)).toMatchObject({ status: "ended", endedAt });
      expect(await h.world.getHook(b)).toMatchObject({ status: "ended", endedAt: 42 });
      expect(await h.world.getHook(c)).toMatchObject({ status: "ended", endedAt });
      expect(await h.world.listHooks({ runId, status: "active" })).toEqual([]);
      const next = await createRun(h.world, { started: true });
      await appendAll(h.world, next, [ev.hookCreated("o1", a), ev.hookCreated("o2", c)], 2);
      expect(await h.world.getHook(a)).toMatchObject({ runId: next, status: "active" });
    });

    test("hook_conflicted does not disturb the hook that holds the token", async () => {
      const holder = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      await h.world.append(holder, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      const other = await createRun(h.world, { started: true });
      await h.world.append(other, ev.hookConflicted("o1", holder), { expectedSeq: 2 });
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId: holder, hookId: "o1", status: "active" });
    });

    test("payloads are recorded while the hook is active and leave it active", async () => {
      const runId = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      await appendAll(
        h.world,
        runId,
        [
          ev.hookCreated("o1", tokenHash),
          ev.hookReceived("o1", { n: 1 }),
          ev.hookRejected("o1"),
          ev.hookReceived("o1", { n: 2 }),
        ],
        2,
      );
      expect((await h.world.readEvents(runId, 3)).map((e) => e.type)).toEqual([
        "hook_received",
        "hook_rejected",
        "hook_received",
      ]);
      expect(await h.world.getHook(tokenHash)).toMatchObject({ status: "active" });
    });

    test.each([
      ["disposed", (corr: string) => ev.hookDisposed(corr)],
      ["timed out", (corr: string) => ev.hookTimedOut(corr)],
      ["whose run completed", () => ev.runCompleted()],
    ] as const)(
      "a payload for a hook that is %s is refused with HookNotFoundError and not recorded",
      async (_how, end) => {
        const runId = await createRun(h.world, { started: true });
        await appendAll(h.world, runId, [ev.hookCreated("o1", newTokenHash()), end("o1")], 2);
        for (const late of [ev.hookReceived("o1"), ev.hookRejected("o1")]) {
          const error = await h.world.append(runId, late, { expectedSeq: 4 }).catch((e: unknown) => e);
          expect(HookNotFoundError.is(error), `expected HookNotFoundError for ${late.type}, got ${String(error)}`).toBe(
            true,
          );
        }
        expect(await h.world.readEvents(runId, 4)).toEqual([]);
      },
    );

    test("a payload for a hook the run never created is refused with HookNotFoundError", async () => {
      const runId = await createRun(h.world, { started: true });
      const error = await h.world.append(runId, ev.hookReceived("o9"), { expectedSeq: 2 }).catch((e: unknown) => e);
      expect(HookNotFoundError.is(error), `expected HookNotFoundError, got ${String(error)}`).toBe(true);
      expect(await h.world.readEvents(runId, 2)).toEqual([]);
    });

    test("a payload racing the hook's end is recorded before the end or refused, never after it", async () => {
      for (let round = 0; round < 5; round++) {
        const runId = await createRun(h.world, { started: true });
        await h.world.append(runId, ev.hookCreated("o1", newTokenHash()), { expectedSeq: 2 });
        // Both writers saw seq 3; each retries once after reading what the other did, as the runtime does.
        const attempt = async (event: NewEvent) => {
          try {
            return await h.world.append(runId, event, { expectedSeq: 3 });
          } catch {
            return await h.world.append(runId, event, { expectedSeq: 4 }).catch((e: unknown) => e);
          }
        };
        await Promise.all([attempt(ev.hookReceived("o1")), attempt(ev.hookDisposed("o1"))]);
        const types = (await h.world.readEvents(runId, 3)).map((e) => e.type);
        expect([["hook_received", "hook_disposed"], ["hook_disposed"]]).toContainEqual(types);
      }
    });

    test("many payloads racing a hook_timed_out: each lands before the end or is refused, none after it", async () => {
      for (let round = 0; round < 3; round++) {
        const runId = await createRun(h.world, { started: true });
        await h.world.append(runId, ev.hookCreated("o1", newTokenHash()), { expectedSeq: 2 });
        // Every writer appends at the log's end as the runtime does: on a conflict it reads the
        // newer events and tries again after them, until it lands or is refused.
        const atEnd = async (event: NewEvent) => {
          let expectedSeq = 3;
          for (;;) {
            try {
              return await h.world.append(runId, event, { expectedSeq });
            } catch (error) {
              if (!EventConflictError.is(error)) throw error;
              expectedSeq = (await h.world.readEvents(runId, expectedSeq)).at(-1)?.seq ?? expectedSeq;
            }
          }
        };
        const senders = Array.from({ length: h.options.racers * 2 }, (_, i) =>
          atEnd(ev.hookReceived("o1", { sender: i })),
        );
        const [ended, ...sent] = await settle([atEnd(ev.hookTimedOut("o1")), ...senders]);
        expect(ended!.ok).toBe(true);
        for (const outcome of sent)
          if (!outcome.ok) expect(HookNotFoundError.is(outcome.error), String(outcome.error)).toBe(true);

        const log = await h.world.readEvents(runId, 3);
        const end = log.findIndex((e) => e.type === "hook_timed_out");
        expect(log.filter((e) => e.type === "hook_timed_out")).toHaveLength(1);
        expect(log.slice(end + 1)).toEqual([]);
        const recorded = log.slice(0, end).map((e) => (e.data as { payload: { sender: number } }).payload.sender);
        const landed = sent.flatMap((outcome, i) => (outcome.ok ? [i] : []));
        expect(recorded.sort((a, b) => a - b)).toEqual(landed);
      }
    });

    test("listHooks filters by run and by status", async () => {
      const [h1, h2, h3] = [newTokenHash(), newTokenHash(), newTokenHash()];
      const r1 = await createRun(h.world, { started: true });
      await appendAll(h.world, r1, [ev.hookCreated("o1", h1), ev.hookCreated("o2", h2), ev.hookDisposed("o2")], 2);
      const r2 = await createRun(h.world, { started: true });
      await appendAll(h.world, r2, [ev.hookCreated("o1", h3, { kind: "webhook" })], 2);
      const byHook = (records: HookRecord[]) => records.map((r) => `${r.runId}/${r.hookId}/${r.status}`).sort();

      expect(byHook(await h.world.listHooks({ runId: r1 }))).toEqual([`${r1}/o1/active`, `${r1}/o2/ended`]);
      expect(byHook(await h.world.listHooks({ runId: r1, status: "active" }))).toEqual([`${r1}/o1/active`]);
      expect(byHook(await h.world.listHooks({ runId: r1, status: "ended" }))).toEqual([`${r1}/o2/ended`]);
      expect(byHook(await h.world.listHooks({ runId: r2 }))).toEqual([`${r2}/o1/active`]);
      expect(await h.world.listHooks({ runId: uniqueId("run") })).toEqual([]);

      const active = await h.world.listHooks({ status: "active" });
      expect(active.every((r) => r.status === "active")).toBe(true);
      const activeHashes = active.map((r) => r.tokenHash);
      expect(activeHashes).toEqual(expect.arrayContaining([h1, h3]));
      expect(activeHashes).not.toContain(h2);
      const everything = (await h.world.listHooks()).map((r) => r.tokenHash);
      expect(everything).toEqual(expect.arrayContaining([h1, h2, h3]));
      for (const record of await h.world.listHooks({ runId: r2 }))
        expect(record).toEqual(await h.world.getHook(record.tokenHash));
    });
  });
}
