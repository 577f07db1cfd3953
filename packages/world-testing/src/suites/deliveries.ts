import {
  DuplicateDeliveryError,
  EventConflictError,
  HookNotFoundError,
  MAX_REFUSALS_PER_HOOK,
  type NewEvent,
  type NewRefusal,
  type World,
  WorldError,
} from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, newTokenHash, settle, uniqueId } from "../helpers.js";

const delivery = (corr: string, dedupeKey: string | undefined, requestId = uniqueId("req")): NewEvent => ({
  type: "hook_received",
  corr,
  at: Date.now(),
  data: { payload: { requestId }, requestId, ...(dedupeKey === undefined ? {} : { dedupeKey }) },
});

const response = (requestId: string, status = 200): NewEvent => ({
  type: "webhook_responded",
  at: Date.now(),
  data: { requestId, response: { status } },
});

/** A started run with an active webhook `o1` (seq 3). */
async function runWithWebhook(world: World): Promise<string> {
  const runId = await createRun(world, { started: true });
  await world.append(runId, ev.hookCreated("o1", newTokenHash(), { kind: "webhook" }), { expectedSeq: 2 });
  return runId;
}

/** Appends `event` at the end of the log as an outside writer does: on a conflict, again at the new end. */
async function appendAtEnd(world: World, runId: string, event: NewEvent): Promise<number> {
  for (;;) {
    const { lastSeq } = (await world.getRun(runId))!;
    try {
      return (await world.append(runId, event, { expectedSeq: lastSeq })).seq;
    } catch (error) {
      if (!EventConflictError.is(error)) throw error;
    }
  }
}

const refusal = (runId: string, hookId: string, extra: Partial<NewRefusal> = {}): NewRefusal => ({
  runId,
  hookId,
  status: 401,
  reason: "The request's signature could not be verified.",
  method: "POST",
  headers: [["content-type", "application/json"]],
  address: "127.0.0.9",
  at: Date.now(),
  count: 1,
  ...extra,
});

export function deliveryTests(h: Harness) {
  describe("webhook deliveries by dedupe key", () => {
    test("a second hook_received with the same hook and dedupe key is refused with DuplicateDeliveryError naming the first, and nothing is appended", async () => {
      const runId = await runWithWebhook(h.world);
      const first = await h.world.append(runId, delivery("o1", "evt_1", "req_first"), { expectedSeq: 3 });
      const error = await h.world
        .append(runId, delivery("o1", "evt_1", "req_second"), { expectedSeq: 4 })
        .catch((e: unknown) => e);
      expect(DuplicateDeliveryError.is(error), `expected DuplicateDeliveryError, got ${String(error)}`).toBe(true);
      expect(error).toMatchObject({ requestId: "req_first", seq: first.seq });
      expect((await h.world.getRun(runId))?.lastSeq).toBe(4);
      expect(await h.world.readEvents(runId, 4)).toEqual([]);
      // Another key, no key, or the same key on another hook are new deliveries.
      await h.world.append(runId, ev.hookCreated("o2", newTokenHash(), { kind: "webhook" }), { expectedSeq: 4 });
      await appendAll(
        h.world,
        runId,
        [delivery("o1", "evt_2"), delivery("o1", undefined), delivery("o1", undefined), delivery("o2", "evt_1")],
        5,
      );
      expect((await h.world.getRun(runId))?.lastSeq).toBe(9);
    });

    test("getDelivery finds the first delivery of a key by index; null for unknown keys, hooks and runs", async () => {
      const runId = await runWithWebhook(h.world);
      await appendAll(
        h.world,
        runId,
        [delivery("o1", "a", "req_a"), delivery("o1", "b", "req_b"), delivery("o1", undefined, "req_c")],
        3,
      );
      expect(await h.world.getDelivery(runId, "o1", "b")).toEqual({
        runId,
        hookId: "o1",
        dedupeKey: "b",
        requestId: "req_b",
        seq: 5,
      });
      expect(await h.world.getDelivery(runId, "o1", "a")).toMatchObject({ requestId: "req_a", seq: 4 });
      expect(await h.world.getDelivery(runId, "o1", "c")).toBeNull();
      expect(await h.world.getDelivery(runId, "o2", "a")).toBeNull();
      expect(await h.world.getDelivery(uniqueId("run"), "o1", "a")).toBeNull();
      await expect(h.world.getDelivery(runId, "o1", "")).rejects.toSatisfy(WorldError.is);
    });

    test("a repeat after the hook ended is still a duplicate (checked first); a new key then gets HookNotFoundError", async () => {
      const runId = await runWithWebhook(h.world);
      await appendAll(h.world, runId, [delivery("o1", "evt_1", "req_1"), ev.hookDisposed("o1")], 3);
      const repeat = await h.world.append(runId, delivery("o1", "evt_1"), { expectedSeq: 5 }).catch((e: unknown) => e);
      expect(repeat).toMatchObject({ code: "HOOKLINE_DUPLICATE_DELIVERY", requestId: "req_1", seq: 4 });
      const fresh = await h.world.append(runId, delivery("o1", "evt_2"), { expectedSeq: 5 }).catch((e: unknown) => e);
      expect(HookNotFoundError.is(fresh), `expected HookNotFoundError, got ${String(fresh)}`).toBe(true);
    });

    test(`writers racing to record one delivery: exactly one hook_received, every other writer learns the winner's request id`, async () => {
      const runId = await runWithWebhook(h.world);
      const results = await settle(
        Array.from({ length: h.options.racers }, (_, i) =>
          appendAtEnd(h.world, runId, delivery("o1", "evt_race", `req_${i}`)),
        ),
      );
      const events = (await h.world.readEvents(runId, 3)).filter((e) => e.type === "hook_received");
      expect(events).toHaveLength(1);
      const winner = (events[0]!.data as { requestId: string }).requestId;
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const result of results) {
        if (!result.ok) expect(result.error).toMatchObject({ code: "HOOKLINE_DUPLICATE_DELIVERY", requestId: winner });
      }
    });

    test("the first webhook_responded for a request is found by its request id", async () => {
      const runId = await runWithWebhook(h.world);
      await appendAll(
        h.world,
        runId,
        [
          delivery("o1", undefined, "req_1"),
          response("req_other", 201),
          response("req_1", 200),
          response("req_1", 500),
        ],
        3,
      );
      const found = await h.world.getResponse(runId, "req_1");
      expect(found).toMatchObject({
        type: "webhook_responded",
        seq: 6,
        data: { requestId: "req_1", response: { status: 200 } },
      });
      expect(await h.world.getResponse(runId, "req_none")).toBeNull();
      expect(await h.world.getResponse(uniqueId("run"), "req_1")).toBeNull();
    });

    test("another instance sees the dedupe index at once", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const runId = await runWithWebhook(h.world);
      await h.world.append(runId, delivery("o1", "evt_1", "req_here"), { expectedSeq: 3 });
      const error = await other.append(runId, delivery("o1", "evt_1"), { expectedSeq: 4 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "HOOKLINE_DUPLICATE_DELIVERY", requestId: "req_here" });
      expect(await other.getDelivery(runId, "o1", "evt_1")).toMatchObject({ requestId: "req_here", seq: 4 });
    });
  });

  describe("refused deliveries", () => {
    test("are kept outside the run's log, newest first, each with what the route saw", async () => {
      const runId = await runWithWebhook(h.world);
      await h.world.recordRefusal(
        refusal(runId, "o1", { status: 405, reason: "This webhook accepts POST.", method: "GET", at: 1_000 }),
      );
      await h.world.recordRefusal(
        refusal(runId, "o1", { status: 413, reason: "too large", at: 2_000, address: undefined }),
      );
      const listed = await h.world.listRefusals({ runId, hookId: "o1" });
      expect(listed).toEqual([
        {
          runId,
          hookId: "o1",
          status: 413,
          reason: "too large",
          method: "POST",
          headers: [["content-type", "application/json"]],
          firstAt: 2_000,
          lastAt: 2_000,
          count: 1,
        },
        {
          runId,
          hookId: "o1",
          status: 405,
          reason: "This webhook accepts POST.",
          method: "GET",
          headers: [["content-type", "application/json"]],
          address: "127.0.0.9",
          firstAt: 1_000,
          lastAt: 1_000,
          count: 1,
        },
      ]);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(3);
      expect(await h.world.readEvents(runId, 3)).toEqual([]);
    });

    test("identical refusals in a row are one entry with a count; another kind starts a new entry", async () => {
      const runId = await runWithWebhook(h.world);
      for (let i = 1; i <= 5; i++) await h.world.recordRefusal(refusal(runId, "o1", { at: i * 100, count: i }));
      await h.world.recordRefusal(
        refusal(runId, "o1", { status: 429, reason: "Too many requests from this address.", at: 900 }),
      );
      await h.world.recordRefusal(refusal(runId, "o1", { at: 1_000 }));
      const listed = await h.world.listRefusals({ runId });
      expect(listed.map((r) => [r.status, r.count, r.firstAt, r.lastAt])).toEqual([
        [401, 1, 1_000, 1_000],
        [429, 1, 900, 900],
        [401, 15, 100, 500],
      ]);
    });

    test(`at most ${MAX_REFUSALS_PER_HOOK} per hook are kept, the newest`, async () => {
      const runId = await runWithWebhook(h.world);
      const total = MAX_REFUSALS_PER_HOOK + 12;
      for (let i = 0; i < total; i++)
        await h.world.recordRefusal(refusal(runId, "o1", { reason: `reason ${i}`, at: 10_000 + i }));
      const listed = await h.world.listRefusals({ runId, hookId: "o1", limit: 1_000 });
      expect(listed).toHaveLength(MAX_REFUSALS_PER_HOOK);
      expect(listed[0]!.reason).toBe(`reason ${total - 1}`);
      expect(listed.at(-1)!.reason).toBe(`reason ${total - MAX_REFUSALS_PER_HOOK}`);
    });

    test("are listed per hook, per run, or across runs, with a limit", async () => {
      const a = await runWithWebhook(h.world);
      const b = await runWithWebhook(h.world);
      const base = Date.now() + 60_000;
      await h.world.recordRefusal(refusal(a, "o1", { at: base + 1 }));
      await h.world.recordRefusal(refusal(b, "o1", { status: 413, at: base + 2 }));
      await h.world.recordRefusal(refusal(b, "o7", { status: 410, at: base + 3 }));
      expect((await h.world.listRefusals({ runId: b })).map((r) => r.hookId)).toEqual(["o7", "o1"]);
      expect((await h.world.listRefusals({ runId: b, hookId: "o1" })).map((r) => r.status)).toEqual([413]);
      expect((await h.world.listRefusals({ limit: 2 })).map((r) => [r.runId, r.hookId])).toEqual([
        [b, "o7"],
        [b, "o1"],
      ]);
      expect(await h.world.listRefusals({ runId: uniqueId("run") })).toEqual([]);
    });

    test("bad arguments are refused with a WorldError naming them", async () => {
      const runId = await runWithWebhook(h.world);
      await expect(h.world.listRefusals({ hookId: "o1" })).rejects.toThrow(/runId/);
      await expect(h.world.listRefusals({ limit: 0 })).rejects.toSatisfy(WorldError.is);
      await expect(h.world.recordRefusal(refusal(runId, "o1", { status: 42 }))).rejects.toThrow(/status/);
      await expect(h.world.recordRefusal(refusal(runId, "o1", { count: 0 }))).rejects.toThrow(/count/);
      await expect(
        h.world.recordRefusal({ ...refusal(runId, "o1"), headers: [["x"]] as unknown as [string, string][] }),
      ).rejects.toThrow(/headers/);
    });
  });
}
