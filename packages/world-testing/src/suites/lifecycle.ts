import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, sleep, uniqueId, waitFor } from "../helpers.js";
import { recorder } from "./queue.js";

export function notificationTests(h: Harness) {
  const wait = <T>(what: string, check: () => T | Promise<T>) => waitFor(what, check, h.options.waitTimeoutMs);

  describe("onAppend", () => {
    test("listeners hear of each append with its run, seq and event type; unsubscribing stops them", async () => {
      const heard: Array<[string, number, string | undefined]> = [];
      const runId = uniqueId("run");
      const unsubscribe = h.world.onAppend((id, seq, type) => {
        if (id === runId) heard.push([id, seq, type]);
      });
      await appendAll(h.world, runId, [ev.runCreated(), ev.runStarted(), ev.stepStarted("o1")]);
      await wait("three notifications", () => heard.length >= 3);
      expect(heard).toEqual([
        [runId, 1, "run_created"],
        [runId, 2, "run_started"],
        [runId, 3, "step_started"],
      ]);
      unsubscribe();
      await h.world.append(runId, ev.stepCompleted("o1"), { expectedSeq: 3 });
      await sleep(h.options.quietMs);
      expect(heard).toHaveLength(3);
    });

    test("a listener that throws neither fails the append nor silences the others", async () => {
      const heard: number[] = [];
      const runId = uniqueId("run");
      h.world.onAppend(() => {
        throw new Error("listener failure");
      });
      const unsubscribe = h.world.onAppend((id, seq) => {
        if (id === runId) heard.push(seq);
      });
      await expect(createRun(h.world, { runId })).resolves.toBe(runId);
      await wait("the notification", () => heard.length > 0);
      expect(heard).toEqual([1]);
      unsubscribe();
    });
  });
}

export function lifecycleTests(h: Harness) {
  describe("lifecycle", () => {
    test("start() may be called again", async () => {
      await h.world.start();
      const runId = await createRun(h.world);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(1);
    });

    test("close() stops deliveries, can be called twice, and later calls fail instead of hanging", async () => {
      const r = recorder();
      h.consume(r.handler);
      const runId = uniqueId("run");
      await h.world.queue.enqueue({ runId }, { delayMs: h.options.delayMs });
      await h.world.close();
      await h.world.close();
      await sleep(h.options.delayMs + h.options.quietMs);
      expect(r.of(runId)).toEqual([]);
      await expect(h.world.append(uniqueId("run"), ev.runCreated(), { expectedSeq: 0 })).rejects.toThrow();
    });
  });
}
