import { EventConflictError, HookConflictError } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, newTokenHash, settle, uniqueId, waitFor } from "../helpers.js";
import { recorder } from "./queue.js";

/** Two instances over one storage (several app instances); runs only when the factory has peer(). */
export function instanceTests(h: Harness) {
  const wait = <T>(what: string, check: () => T | Promise<T>) => waitFor(what, check, h.options.waitTimeoutMs);

  describe("two instances on one storage (peer)", () => {
    test("each reads what the other appended: events, summaries, hooks", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const runId = await createRun(h.world, { started: true });
      const tokenHash = newTokenHash();
      expect((await other.getRun(runId))?.lastSeq).toBe(2);
      await other.append(runId, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      expect((await h.world.readEvents(runId, 2)).map((e) => e.type)).toEqual(["hook_created"]);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(3);
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId, hookId: "o1", status: "active" });
      await h.world.append(runId, ev.hookDisposed("o1"), { expectedSeq: 3 });
      expect(await other.getHook(tokenHash)).toMatchObject({ status: "ended" });
      expect((await other.getRun(runId))?.lastSeq).toBe(4);
    });

    test("instances racing for one seq: exactly one wins, the other reads the winner's event", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      for (let round = 0; round < 5; round++) {
        const runId = await createRun(h.world, { started: true });
        await other.readEvents(runId);
        const outcomes = await settle([
          h.world.append(runId, ev.stepStarted("mine"), { expectedSeq: 2 }),
          other.append(runId, ev.stepStarted("theirs"), { expectedSeq: 2 }),
        ]);
        expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
        const loser = outcomes.find((o) => !o.ok);
        expect(
          loser && !loser.ok && EventConflictError.is(loser.error),
          String(loser && !loser.ok && loser.error),
        ).toBe(true);
        const winner = outcomes.find((o) => o.ok);
        expect(await h.world.readEvents(runId, 2)).toEqual([winner?.ok && winner.value]);
        expect(await other.readEvents(runId, 2)).toEqual([winner?.ok && winner.value]);
        // Whichever lost goes on after reading.
        expect((await other.append(runId, ev.stepCompleted("x"), { expectedSeq: 3 })).seq).toBe(4);
        expect((await h.world.getRun(runId))?.lastSeq).toBe(4);
      }
    });

    test("a token held through one instance is refused through the other", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const tokenHash = newTokenHash();
      const holder = await createRun(h.world, { started: true });
      await h.world.append(holder, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      const runId = await createRun(other, { started: true });
      const error = await other
        .append(runId, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 })
        .catch((e: unknown) => e);
      expect(HookConflictError.is(error), String(error)).toBe(true);
      expect((error as HookConflictError).heldBy).toBe(holder);
      await h.world.append(holder, ev.runCompleted(), { expectedSeq: 3 });
      await other.append(runId, ev.hookCreated("o1", tokenHash), { expectedSeq: 2 });
      expect(await h.world.getHook(tokenHash)).toMatchObject({ runId, status: "active" });
    });

    test("onAppend hears appends made through the other instance", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const runId = uniqueId("run");
      const heard: number[] = [];
      h.world.onAppend((id, seq) => {
        if (id === runId) heard.push(seq);
      });
      await appendAll(other, runId, [ev.runCreated(), ev.runStarted()]);
      await wait("both notifications", () => heard.includes(1) && heard.includes(2));
    });

    test("a message enqueued through one instance is delivered by the other's consumer", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const r = recorder();
      h.consume(r.handler, undefined, other);
      const runId = await createRun(h.world);
      await h.world.append(runId, ev.runStarted(), { expectedSeq: 1, wake: {} });
      await wait("the wake on the other instance", () => r.of(runId).length > 0);
    });
  });
}
