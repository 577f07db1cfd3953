import { bundleIdOf } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { appendAll, ev, uniqueId } from "../helpers.js";

/** A bundle of its own for each call: code no other test (or earlier suite run) stores. */
function bundle(label = "bundle"): { id: string; code: string } {
  const code = `/* ${uniqueId(label)} */ globalThis.answer = "ä ${"x".repeat(2_000)}";\n`;
  return { id: bundleIdOf(code), code };
}

/** Each build's workflow bundle, content-addressed (World.bundles); kept while unfinished runs need it. */
export function bundleTests(h: Harness) {
  describe("bundles", () => {
    test("put stores a bundle under its id; get returns its code exactly; a second put refreshes storedAt only", async () => {
      const { id, code } = bundle();
      expect(await h.world.bundles.get(id)).toBeNull();
      await h.world.bundles.put(id, code, 1_000);
      expect(await h.world.bundles.get(id)).toEqual({ id, code, storedAt: 1_000 });
      await h.world.bundles.put(id, code, 5_000);
      expect(await h.world.bundles.get(id)).toEqual({ id, code, storedAt: 5_000 });
      const listed = (await h.world.bundles.list()).filter((b) => b.id === id);
      expect(listed).toEqual([{ id, storedAt: 5_000, bytes: Buffer.byteLength(code) }]);
    });

    test("every instance sees a bundle another stored", async () => {
      if (!h.hasPeers) return;
      const { id, code } = bundle();
      await h.world.bundles.put(id, code, 2_000);
      const peer = await h.peer();
      expect((await peer.bundles.get(id))?.code).toBe(code);
    });

    test("an id that is not a SHA-256 is refused, naming it", async () => {
      await expect(h.world.bundles.get("../secret")).rejects.toThrow(/bundle id/);
      await expect(h.world.bundles.put("abc", "code", 1)).rejects.toThrow(/bundle id/);
    });

    test("sweep removes old bundles no unfinished run started with; keeps the kept, the recent and the needed", async () => {
      const unused = bundle("unused");
      const kept = bundle("kept");
      const recent = bundle("recent");
      const needed = bundle("needed");
      const original = bundle("original");
      const upgraded = bundle("upgraded");
      const finished = bundle("finished");
      for (const b of [unused, kept, needed, finished, original, upgraded])
        await h.world.bundles.put(b.id, b.code, 1_000);
      await h.world.bundles.put(recent.id, recent.code, 9_000);
      const created = (bundleId: string) =>
        ({ ...ev.runCreated(), data: { ...(ev.runCreated().data as object), bundleId } }) as ReturnType<
          typeof ev.runCreated
        >;
      const running = uniqueId("run");
      await appendAll(h.world, running, [created(needed.id), ev.runStarted()]);
      const moved = uniqueId("run");
      await appendAll(h.world, moved, [
        created(original.id),
        ev.runStarted(),
        { type: "run_upgraded", at: Date.now(), data: { bundleId: upgraded.id } },
      ]);
      const done = uniqueId("run");
      await appendAll(h.world, done, [created(finished.id), ev.runStarted(), ev.runCompleted()]);

      const removed = await h.world.bundles.sweep({ keep: [kept.id], storedBefore: 5_000 });
      expect(removed).toContain(unused.id);
      expect(removed).toContain(finished.id);
      expect(removed).not.toContain(kept.id);
      expect(removed).not.toContain(recent.id);
      expect(removed).not.toContain(needed.id);
      expect(removed).not.toContain(original.id);
      expect(removed).not.toContain(upgraded.id);
      expect(await h.world.bundles.get(unused.id)).toBeNull();
      expect(await h.world.bundles.get(finished.id)).toBeNull();
      for (const b of [kept, recent, needed, original, upgraded])
        expect((await h.world.bundles.get(b.id))?.code).toBe(b.code);

      // Once its run ends, nothing needs it.
      await appendAll(h.world, running, [ev.runCompleted()], 2);
      expect(await h.world.bundles.sweep({ keep: [kept.id], storedBefore: 5_000 })).toContain(needed.id);
      expect(await h.world.bundles.get(needed.id)).toBeNull();
    });
  });
}
