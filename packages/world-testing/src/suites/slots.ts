import { WorldError } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { uniqueId, waitFor } from "../helpers.js";

/** Concurrency slots (World.slots): holders up to the limit, a FIFO line, wakes, owners, instances. */
export function slotTests(h: Harness) {
  describe("concurrency slots", () => {
    test("slots go to the first `limit` askers; the rest wait in line, in the order they asked", async () => {
      const key = uniqueId("key");
      const runs = Array.from({ length: 5 }, () => uniqueId("run"));
      const answers = [];
      for (const runId of runs) answers.push(await h.world.slots.acquire({ key, limit: 2, runId, owner: "a" }));
      expect(answers.map((a) => a.granted)).toEqual([true, true, false, false, false]);
      const waiting = answers[2]!;
      expect(!waiting.granted && waiting.retryInMs).toBeGreaterThan(0);
      const state = await h.world.slots.inspect(key);
      expect(state.holders.map((s) => s.runId).sort()).toEqual(runs.slice(0, 2).sort());
      expect(
        state.holders.every((s) => s.owner === "a" && s.leaseUntil > Date.now() - h.options.clockToleranceMs),
      ).toBe(true);
      expect(state.waiters).toEqual(runs.slice(2).map((runId) => ({ runId, limit: 2 })));
      // Asking again keeps a waiter's place.
      expect((await h.world.slots.acquire({ key, limit: 2, runId: runs[3]!, owner: "a" })).granted).toBe(false);
      expect((await h.world.slots.inspect(key)).waiters.map((w) => w.runId)).toEqual(runs.slice(2));
    });

    test("a release grants the slot to the first in line and wakes that run; it takes it when it asks", async () => {
      const key = uniqueId("key");
      const [holder, first, second] = [uniqueId("run"), uniqueId("run"), uniqueId("run")];
      const woken: string[] = [];
      h.consume(async (message) => {
        woken.push(message.runId);
      });
      await h.world.slots.acquire({ key, limit: 1, runId: holder, owner: "a" });
      await h.world.slots.acquire({ key, limit: 1, runId: first, owner: "b" });
      await h.world.slots.acquire({ key, limit: 1, runId: second, owner: "b" });
      await h.world.slots.release(key, holder, "a");
      await waitFor("the first in line to be woken", () => woken.includes(first), h.options.waitTimeoutMs);
      expect(woken).not.toContain(second);
      const state = await h.world.slots.inspect(key);
      expect(state.holders).toEqual([{ runId: first, leaseUntil: expect.any(Number) }]);
      expect(state.waiters.map((w) => w.runId)).toEqual([second]);
      // Granted, the slot is the run's whichever runtime drives it.
      expect(await h.world.slots.acquire({ key, limit: 1, runId: first, owner: "c" })).toEqual({ granted: true });
      expect((await h.world.slots.inspect(key)).holders).toEqual([
        { runId: first, owner: "c", leaseUntil: expect.any(Number) },
      ]);
    });

    test("a run held by one owner is not granted to another; only its owner releases it; a waiter's release leaves the line", async () => {
      const key = uniqueId("key");
      const [run, waiter] = [uniqueId("run"), uniqueId("run")];
      await h.world.slots.acquire({ key, limit: 1, runId: run, owner: "a" });
      const other = await h.world.slots.acquire({ key, limit: 1, runId: run, owner: "b" });
      expect(other.granted).toBe(false);
      await h.world.slots.release(key, run, "b");
      expect((await h.world.slots.inspect(key)).holders.map((s) => s.owner)).toEqual(["a"]);
      await h.world.slots.acquire({ key, limit: 1, runId: waiter, owner: "b" });
      await h.world.slots.release(key, waiter, "b");
      expect(await h.world.slots.inspect(key)).toMatchObject({ waiters: [] });
      await h.world.slots.release(key, run, "a");
      expect(await h.world.slots.inspect(key)).toEqual({ holders: [], waiters: [] });
    });

    test("renew extends the owner's live leases and names the slots it does not hold", async () => {
      const key = uniqueId("key");
      const [run, stranger] = [uniqueId("run"), uniqueId("run")];
      await h.world.slots.acquire({ key, limit: 3, runId: run, owner: "a" });
      const before = (await h.world.slots.inspect(key)).holders[0]!.leaseUntil;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const lost = await h.world.slots.renew("a", [
        { key, runId: run },
        { key, runId: stranger },
      ]);
      expect(lost).toEqual([{ key, runId: stranger }]);
      expect((await h.world.slots.inspect(key)).holders[0]!.leaseUntil).toBeGreaterThan(before);
      expect(await h.world.slots.renew("b", [{ key, runId: run }])).toEqual([{ key, runId: run }]);
    });

    test("bad slot requests are refused with a WorldError naming the field", async () => {
      const bad: Array<[unknown, RegExp]> = [
        [{ key: "", limit: 1, runId: "r", owner: "a" }, /key must be a non-empty string/],
        [{ key: "k", limit: 0, runId: "r", owner: "a" }, /limit must be an integer ≥ 1, got 0/],
        [{ key: "k", limit: 1, runId: "r" }, /owner must be a non-empty string/],
      ];
      for (const [request, message] of bad) {
        const error = await h.world.slots.acquire(request as never).catch((e: unknown) => e);
        expect(WorldError.is(error), String(error)).toBe(true);
        expect((error as Error).message).toMatch(message);
      }
    });

    test("instances share one set of slots: racing askers over two instances never exceed the limit", async (context) => {
      if (!h.hasPeers) context.skip();
      const peer = await h.peer();
      const key = uniqueId("key");
      const runs = Array.from({ length: h.options.racers * 2 }, () => uniqueId("run"));
      const answers = await Promise.all(
        runs.map((runId, i) =>
          (i % 2 === 0 ? h.world : peer).slots.acquire({ key, limit: 3, runId, owner: i % 2 === 0 ? "a" : "b" }),
        ),
      );
      expect(answers.filter((a) => a.granted)).toHaveLength(3);
      const state = await peer.slots.inspect(key);
      expect(state.holders).toHaveLength(3);
      expect(state.waiters).toHaveLength(runs.length - 3);
    });
  });
}
