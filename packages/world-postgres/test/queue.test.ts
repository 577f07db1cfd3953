/**
 * The queue: delivery woken by NOTIFY across instances (the safety pass runs every 30 s, so a
 * delivery within a second shows no polling is involved), delays, key dedupe, leases renewed
 * while a handler runs, redelivery with backoff, concurrency, and stop().
 */

import type { Delivery, QueueMessage } from "@hookline/core/world";
import { WorldError } from "@hookline/core/world";
import { beforeEach, describe, expect, it } from "vitest";
import { newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("queue");

// Each test sees only its own messages (a test may leave one undelivered on purpose).
beforeEach(async () => {
  await t.db.admin(`DELETE FROM "${t.db.schema}".queue`).catch(() => {});
});

interface Received {
  runId: string;
  delivery: Delivery;
  at: number;
}

/** Records deliveries; `wait(n)` resolves once n arrived. */
function recorder(handle: (message: QueueMessage, delivery: Delivery) => Promise<void> = async () => {}) {
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    received,
    handler: async (message: QueueMessage, delivery: Delivery) => {
      received.push({ runId: message.runId, delivery, at: performance.now() });
      for (const waiter of waiters.filter((w) => received.length >= w.n)) waiter.resolve();
      await handle(message, delivery);
    },
    wait(n: number, timeoutMs = 5_000): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${n} deliveries after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function queueDepth(runId: string): Promise<number> {
  const result = await t.db.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${t.db.schema}".queue WHERE run_id = $1`,
    [runId],
  );
  return result.rows[0]!.n;
}

describe("queue", () => {
  it("delivers a message enqueued by another instance at once, woken by NOTIFY", async () => {
    const [producer, consumer] = await Promise.all([t.world(), t.world()]);
    const seen = recorder();
    consumer.queue.consume(seen.handler);
    await sleep(100);
    const runId = newRunId();
    const sent = performance.now();
    await producer.queue.enqueue({ runId });
    await seen.wait(1, 1_000);
    expect(seen.received[0]).toMatchObject({ runId, delivery: { attempt: 1 } });
    // Well before the 30 s safety pass: the NOTIFY woke it.
    expect(seen.received[0]!.at - sent).toBeLessThan(5_000);
    await sleep(50);
    expect(await queueDepth(runId)).toBe(0);
  });

  it("holds a delayed message until it is due, then delivers it without polling", async () => {
    const [producer, consumer] = await Promise.all([t.world(), t.world()]);
    const seen = recorder();
    consumer.queue.consume(seen.handler);
    await sleep(100);
    const sent = performance.now();
    await producer.queue.enqueue({ runId: newRunId() }, { delayMs: 400 });
    await seen.wait(1, 3_000);
    const after = seen.received[0]!.at - sent;
    expect(after).toBeGreaterThanOrEqual(390);
    expect(after).toBeLessThan(5_000);
  });

  it("finds messages that became due while no consumer was running", async () => {
    const world = await t.world();
    const runId = newRunId();
    await world.queue.enqueue({ runId }, { delayMs: 50 });
    await sleep(100);
    const seen = recorder();
    world.queue.consume(seen.handler);
    await seen.wait(1, 2_000);
    expect(seen.received[0]!.runId).toBe(runId);
  });

  it("dedupes by key among undelivered messages only", async () => {
    const world = await t.world();
    const runId = newRunId();
    const key = `timer:${runId}`;
    await world.queue.enqueue({ runId }, { key, delayMs: 200 });
    await world.queue.enqueue({ runId }, { key, delayMs: 200 });
    await world.queue.enqueue({ runId }, { key });
    expect(await queueDepth(runId)).toBe(1);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen = recorder(() => (seen.received.length === 1 ? held : Promise.resolve()));
    world.queue.consume(seen.handler);
    await seen.wait(1, 3_000);
    // Handed to a consumer, it no longer counts: the same key enqueues again.
    await world.queue.enqueue({ runId }, { key });
    await seen.wait(2, 3_000);
    release();
    await sleep(300);
    expect(seen.received).toHaveLength(2);
  });

  it("redelivers after a rejected handler with growing backoff, counting attempts", async () => {
    const world = await t.world({ redeliveryDelayMs: 100 });
    const seen = recorder(async (_message, delivery) => {
      if (delivery.attempt < 3) throw new Error(`attempt ${delivery.attempt} fails`);
    });
    world.queue.consume(seen.handler);
    const runId = newRunId();
    await world.queue.enqueue({ runId });
    await seen.wait(3, 5_000);
    expect(seen.received.map((r) => r.delivery.attempt)).toEqual([1, 2, 3]);
    expect(new Set(seen.received.map((r) => r.delivery.id)).size).toBe(1);
    const [first, second, third] = seen.received.map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(90);
    expect(third! - second!).toBeGreaterThanOrEqual(190);
    expect(
      t.reported.some((r) => r.where.startsWith("queue handler") && String(r.error).includes("attempt 1 fails")),
    ).toBe(true);
    await sleep(100);
    expect(await queueDepth(runId)).toBe(0);
  });

  it("runs at most `concurrency` handlers at once and delivers everything", async () => {
    const world = await t.world();
    let running = 0;
    let peak = 0;
    const seen = recorder(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(30);
      running -= 1;
    });
    world.queue.consume(seen.handler, { concurrency: 3 });
    const runs = Array.from({ length: 12 }, newRunId);
    await Promise.all(runs.map((runId) => world.queue.enqueue({ runId })));
    await seen.wait(12, 5_000);
    expect(peak).toBe(3);
    expect(new Set(seen.received.map((r) => r.runId))).toEqual(new Set(runs));
  });

  it("hands each message to exactly one of several instances", async () => {
    const worlds = await Promise.all([t.world(), t.world(), t.world()]);
    const seen = recorder(() => sleep(2));
    for (const world of worlds) world.queue.consume(seen.handler, { concurrency: 4 });
    await sleep(100);
    const runs = Array.from({ length: 150 }, newRunId);
    await Promise.all(runs.map((runId, i) => worlds[i % 3]!.queue.enqueue({ runId })));
    await seen.wait(150, 10_000);
    await sleep(300);
    expect(seen.received).toHaveLength(150);
    expect(new Set(seen.received.map((r) => r.runId)).size).toBe(150);
  });

  it("renews the lease while a handler runs, so a long handler is not delivered twice", async () => {
    const [a, b] = await Promise.all([t.world({ leaseMs: 300 }), t.world({ leaseMs: 300 })]);
    const seen = recorder(() => sleep(1_200));
    a.queue.consume(seen.handler);
    await a.queue.enqueue({ runId: newRunId() });
    await seen.wait(1);
    b.queue.consume(seen.handler);
    await sleep(1_500);
    expect(seen.received).toHaveLength(1);
  });

  it("stop() stops claiming and waits for running handlers to finish and be acknowledged", async () => {
    const world = await t.world();
    let finished = false;
    const seen = recorder(async () => {
      await sleep(200);
      finished = true;
    });
    const consumer = world.queue.consume(seen.handler);
    const runId = newRunId();
    await world.queue.enqueue({ runId });
    await seen.wait(1);
    await consumer.stop();
    expect(finished).toBe(true);
    expect(await queueDepth(runId)).toBe(0);
    await world.queue.enqueue({ runId: newRunId() });
    await sleep(200);
    expect(seen.received).toHaveLength(1);
  });

  it("fails with a WorldError after close()", async () => {
    const world = await t.world();
    await world.close();
    const error = await world.queue.enqueue({ runId: newRunId() }).catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
  });
});

describe("consumers made before start()", () => {
  it("begin delivering once the world has started", async () => {
    const world = t.create();
    const seen = recorder();
    world.queue.consume(seen.handler);
    await world.start();
    const runId = newRunId();
    await world.queue.enqueue({ runId });
    await seen.wait(1, 2_000);
    expect(seen.received[0]!.runId).toBe(runId);
  });
});
