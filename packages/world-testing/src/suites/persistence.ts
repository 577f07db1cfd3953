import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, createRun, ev, newTokenHash, uniqueId, waitFor } from "../helpers.js";
import { recorder } from "./queue.js";

/**
 * What must survive a restart; runs only when the factory can reopen its storage. (A message
 * whose handler was still running when its process died is a process-death test, world-specific:
 * close() may wait for running handlers, which is a graceful stop, not a death.)
 */
export function persistenceTests(h: Harness) {
  const wait = <T>(what: string, check: () => T | Promise<T>) => waitFor(what, check, h.options.waitTimeoutMs);

  describe("after a restart (reopen)", () => {
    test("the log, run summaries and the hook index are all still there", async ({ skip }) => {
      if (!h.canReopen) skip();
      const workflowId = uniqueId("wf");
      const runId = await createRun(h.world, { workflowId, started: true });
      const [active, ended] = [newTokenHash(), newTokenHash()];
      await appendAll(
        h.world,
        runId,
        [ev.hookCreated("o1", active), ev.hookCreated("o2", ended), ev.hookDisposed("o2"), ev.stepStarted("o3")],
        2,
      );
      const events = await h.world.readEvents(runId);
      const summary = await h.world.getRun(runId);
      const hooks = await h.world.listHooks({ runId });

      const world = await h.reopen();
      expect(await world.readEvents(runId)).toEqual(events);
      expect(await world.getRun(runId)).toEqual(summary);
      expect(await world.listRuns({ workflowId })).toEqual([summary]);
      expect(await world.listHooks({ runId })).toEqual(hooks);
      expect(await world.getHook(active)).toMatchObject({ runId, hookId: "o1", status: "active" });
      expect(await world.getHook(ended)).toMatchObject({ runId, hookId: "o2", status: "ended" });
      // Appends continue where the log ends, and the old seqs stay taken.
      await expect(world.append(runId, ev.stepStarted("x"), { expectedSeq: 5 })).rejects.toThrow();
      expect((await world.append(runId, ev.stepCompleted("o3"), { expectedSeq: 6 })).seq).toBe(7);
      expect((await world.getRun(runId))?.lastSeq).toBe(7);
    });

    test("a delayed message is a durable timer: delivered after the restart, when due and not before", async ({
      skip,
    }) => {
      if (!h.canReopen) skip();
      const runId = uniqueId("run");
      const before = Date.now();
      await h.world.queue.enqueue({ runId }, { delayMs: h.options.delayMs });
      const world = await h.reopen();
      const r = recorder();
      h.consume(r.handler, undefined, world);
      const [delivery] = await wait("the timer after the restart", () => r.of(runId).length > 0 && r.of(runId));
      expect(delivery!.at).toBeGreaterThanOrEqual(before + h.options.delayMs - h.options.clockToleranceMs);
    });

    test("a message nobody consumed before the restart is delivered after it", async ({ skip }) => {
      if (!h.canReopen) skip();
      const runId = await createRun(h.world);
      await h.world.append(runId, ev.runStarted(), { expectedSeq: 1, wake: {} });
      const world = await h.reopen();
      const r = recorder();
      h.consume(r.handler, undefined, world);
      await wait("the wake after the restart", () => r.of(runId).length > 0);
    });
  });
}
