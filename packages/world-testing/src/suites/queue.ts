import type { Delivery, QueueHandler, WorkflowEvent } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { createRun, ev, gate, sleep, uniqueId, waitFor } from "../helpers.js";

interface Received {
  runId: string;
  id: string;
  attempt: number;
  at: number;
}

/** A handler that records every delivery (and then runs `then`, if given). */
export function recorder(then?: (message: { runId: string }, delivery: Delivery) => Promise<void>) {
  const received: Received[] = [];
  const handler: QueueHandler = async (message, delivery) => {
    received.push({ runId: message.runId, id: delivery.id, attempt: delivery.attempt, at: Date.now() });
    await then?.(message, delivery);
  };
  const of = (runId: string) => received.filter((r) => r.runId === runId);
  return { received, handler, of };
}

export function queueTests(h: Harness) {
  const wait = <T>(what: string, check: () => T | Promise<T>) => waitFor(what, check, h.options.waitTimeoutMs);

  /** Waits until a message enqueued now, due after everything the test enqueued before, has been handled. */
  async function drain(r: ReturnType<typeof recorder>, delayMs = 0) {
    const sentinel = uniqueId("sentinel");
    await h.world.queue.enqueue({ runId: sentinel }, { delayMs });
    await wait("the sentinel message", () => r.of(sentinel).length > 0);
    await sleep(h.options.quietMs);
  }

  describe("queue", () => {
    test("delivers an enqueued message with attempt 1", async () => {
      const r = recorder();
      h.consume(r.handler);
      const runId = uniqueId("run");
      await h.world.queue.enqueue({ runId });
      const [delivery] = await wait("the delivery", () => r.of(runId).length > 0 && r.of(runId));
      expect(delivery).toMatchObject({ runId, attempt: 1 });
      expect(typeof delivery?.id).toBe("string");
      await drain(r);
      expect(r.of(runId)).toHaveLength(1);
    });

    test("delivers messages enqueued before any consumer started", async () => {
      const runIds = [uniqueId("run"), uniqueId("run"), uniqueId("run")];
      for (const runId of runIds) await h.world.queue.enqueue({ runId });
      const r = recorder();
      h.consume(r.handler);
      await wait("all three deliveries", () => runIds.every((runId) => r.of(runId).length === 1));
    });

    test("a delayed message is not delivered before it is due, and is delivered after", async () => {
      const r = recorder();
      h.consume(r.handler);
      const [late, early] = [uniqueId("run"), uniqueId("run")];
      const before = Date.now();
      await h.world.queue.enqueue({ runId: late }, { delayMs: h.options.delayMs });
      await h.world.queue.enqueue({ runId: early });
      const [delivery] = await wait("the delayed delivery", () => r.of(late).length > 0 && r.of(late));
      expect(delivery!.at).toBeGreaterThanOrEqual(before + h.options.delayMs - h.options.clockToleranceMs);
      expect(r.of(early)).toHaveLength(1);
      expect(r.of(early)[0]!.at).toBeLessThanOrEqual(delivery!.at);
    });

    test("timers keep their order: shorter delays are delivered first", async () => {
      const r = recorder();
      h.consume(r.handler, { concurrency: 1 });
      const ids = [3, 1, 2].map((n) => ({ n, runId: uniqueId(`run${n}`) }));
      for (const { n, runId } of ids) await h.world.queue.enqueue({ runId }, { delayMs: (h.options.delayMs / 2) * n });
      await wait("three deliveries", () => ids.every(({ runId }) => r.of(runId).length > 0));
      const order = [...ids].sort((a, b) => r.of(a.runId)[0]!.at - r.of(b.runId)[0]!.at).map(({ n }) => n);
      expect(order).toEqual([1, 2, 3]);
    });

    test("a key dedupes messages that wait undelivered", async () => {
      const r = recorder();
      h.consume(r.handler);
      const [runId, other] = [uniqueId("run"), uniqueId("run")];
      const key = uniqueId("key");
      for (let i = 0; i < 3; i++) await h.world.queue.enqueue({ runId }, { delayMs: h.options.delayMs, key });
      await h.world.queue.enqueue({ runId: other }, { delayMs: h.options.delayMs, key: uniqueId("key") });
      await h.world.queue.enqueue({ runId: other }, { delayMs: h.options.delayMs });
      await wait("the keyed delivery", () => r.of(runId).length > 0);
      await drain(r, h.options.delayMs);
      expect(r.of(runId)).toHaveLength(1);
      expect(r.of(other)).toHaveLength(2);
    });

    test("a message already being handled does not hold its key: a new one with that key is delivered too", async () => {
      const held = gate();
      h.onTearDown(held.open);
      const runId = uniqueId("run");
      const r = recorder(async () => {
        if (r.of(runId).length === 1) await held.opened;
      });
      h.consume(r.handler, { concurrency: 4 });
      const key = uniqueId("key");
      await h.world.queue.enqueue({ runId }, { key });
      await wait("the first delivery", () => r.of(runId).length === 1);
      await h.world.queue.enqueue({ runId }, { key });
      await wait("a second delivery while the first is held", () => r.of(runId).length === 2);
      expect(r.of(runId)[1]!.id).not.toBe(r.of(runId)[0]!.id);
      held.open();
    });

    test("a message whose handler rejects is delivered again with a higher attempt, until a handler resolves", async () => {
      const runId = uniqueId("run");
      const r = recorder(async (_message, delivery) => {
        if (_message.runId === runId && delivery.attempt < 3) throw new Error(`attempt ${delivery.attempt} fails`);
      });
      h.consume(r.handler);
      await h.world.queue.enqueue({ runId });
      await wait("the third attempt", () => r.of(runId).length >= 3);
      await drain(r);
      const deliveries = r.of(runId);
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
      expect(new Set(deliveries.map((d) => d.id)).size).toBe(1);
    });

    test("a handler that throws synchronously counts as a rejection", async () => {
      const runId = uniqueId("run");
      const attempts: number[] = [];
      const handler = ((message: { runId: string }, delivery: Delivery) => {
        if (message.runId !== runId) return Promise.resolve();
        attempts.push(delivery.attempt);
        if (delivery.attempt === 1) throw new Error("sync failure");
        return Promise.resolve();
      }) as QueueHandler;
      h.consume(handler);
      await h.world.queue.enqueue({ runId });
      await wait("the second attempt", () => attempts.length >= 2);
      expect(attempts.slice(0, 2)).toEqual([1, 2]);
    });

    test("never runs more handlers at once than the concurrency limit", async () => {
      const release = gate();
      h.onTearDown(release.open);
      let running = 0;
      let most = 0;
      const runIds = Array.from({ length: 9 }, () => uniqueId("run"));
      const mine = new Set(runIds);
      const done = new Set<string>();
      h.consume(
        async ({ runId }) => {
          if (!mine.has(runId)) return;
          running++;
          most = Math.max(most, running);
          await release.opened;
          running--;
          done.add(runId);
        },
        { concurrency: 3 },
      );
      for (const runId of runIds) await h.world.queue.enqueue({ runId });
      await wait("three handlers running", () => running === 3);
      await sleep(h.options.quietMs);
      expect(running).toBe(3);
      release.open();
      await wait("all nine handled", () => done.size === 9);
      expect(most).toBe(3);
    });

    test("two consumers never handle the same message at the same time, and each message is handled once", async () => {
      const runIds = Array.from({ length: 20 }, () => uniqueId("run"));
      const mine = new Set(runIds);
      const active = new Set<string>();
      const handled = new Map<string, number>();
      let overlaps = 0;
      const handler: QueueHandler = async ({ runId }) => {
        if (!mine.has(runId)) return;
        if (active.has(runId)) overlaps++;
        active.add(runId);
        await sleep(2);
        active.delete(runId);
        handled.set(runId, (handled.get(runId) ?? 0) + 1);
      };
      h.consume(handler, { concurrency: 2 });
      h.consume(handler, { concurrency: 2 });
      await Promise.all(runIds.map((runId) => h.world.queue.enqueue({ runId })));
      await wait("all twenty handled", () => handled.size === 20);
      await sleep(h.options.quietMs);
      expect(overlaps).toBe(0);
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
    });

    test("a stopped consumer gets nothing more; its messages wait for the next consumer", async () => {
      const first = recorder();
      const consumer = h.consume(first.handler);
      const [before, after] = [uniqueId("run"), uniqueId("run")];
      await h.world.queue.enqueue({ runId: before });
      await wait("the first delivery", () => first.of(before).length > 0);
      await consumer.stop();
      await h.world.queue.enqueue({ runId: after });
      await sleep(h.options.quietMs);
      expect(first.of(after)).toEqual([]);
      const second = recorder();
      h.consume(second.handler);
      await wait("delivery to the next consumer", () => second.of(after).length > 0);
      expect(second.of(before)).toEqual([]);
    });

    test("stop() hands out nothing more at once; a handler already running still finishes and its message is done", async () => {
      // Whether stop() waits for running handlers is the world's choice (the local world does
      // not, so a stuck handler cannot hold up a shutdown); what both must do is checked here.
      const held = gate();
      h.onTearDown(held.open);
      const [runId, later] = [uniqueId("run"), uniqueId("run")];
      let started = false;
      let finished = false;
      const first = recorder(async (message) => {
        if (message.runId !== runId) return;
        started = true;
        await held.opened;
        finished = true;
      });
      const consumer = h.consume(first.handler);
      await h.world.queue.enqueue({ runId });
      await wait("the handler to start", () => started);
      const stopping = consumer.stop();
      await h.world.queue.enqueue({ runId: later });
      await sleep(h.options.quietMs);
      expect(first.of(later)).toEqual([]);
      held.open();
      await stopping;
      await wait("the running handler to finish", () => finished);
      const next = recorder();
      h.consume(next.handler);
      await wait("the later message at the next consumer", () => next.of(later).length > 0);
      await drain(next);
      // The finished handler's message was acknowledged, not handed out again.
      expect(next.of(runId)).toEqual([]);
      expect(first.of(runId)).toHaveLength(1);
    });

    test("append with wake enqueues a drive of the run, delivered once the event can be read", async () => {
      const seen: WorkflowEvent[][] = [];
      let runId = "";
      h.consume(async (message) => {
        if (message.runId === runId) seen.push(await h.world.readEvents(runId));
      });
      runId = uniqueId("run");
      await h.world.append(runId, ev.runCreated(), { expectedSeq: 0, wake: {} });
      await wait("the wake", () => seen.length > 0);
      expect(seen[0]!.map((e) => e.seq)).toEqual([1]);
      await h.world.append(runId, ev.runStarted(), { expectedSeq: 1, wake: {} });
      await wait("the second wake", () => seen.some((events) => events.length === 2));
    });

    test("a wake with delayMs is a timer: delivered when due, not before", async () => {
      const r = recorder();
      h.consume(r.handler);
      const runId = await createRun(h.world, { started: true });
      const before = Date.now();
      await h.world.append(runId, ev.stepStarted("o1"), { expectedSeq: 2, wake: { delayMs: h.options.delayMs } });
      const [delivery] = await wait("the delayed wake", () => r.of(runId).length > 0 && r.of(runId));
      expect(delivery!.at).toBeGreaterThanOrEqual(before + h.options.delayMs - h.options.clockToleranceMs);
    });

    test("a wake's key dedupes against a message waiting with the same key", async () => {
      const r = recorder();
      h.consume(r.handler);
      const runId = await createRun(h.world, { started: true });
      const key = uniqueId("key");
      await h.world.queue.enqueue({ runId }, { delayMs: h.options.delayMs, key });
      await h.world.append(runId, ev.stepStarted("o1"), { expectedSeq: 2, wake: { delayMs: h.options.delayMs, key } });
      await wait("the wake", () => r.of(runId).length > 0);
      await drain(r, h.options.delayMs);
      expect(r.of(runId)).toHaveLength(1);
    });
  });
}
