import { StreamClosedError, WorldError } from "@hookline/core/world";
import { describe, expect, test } from "vitest";
import type { Harness } from "../harness.js";
import { createRun, settle, waitFor } from "../helpers.js";

/** A run's output streams: chunks beside the log, indexed from 0 without gaps, closable, observable. */
export function streamTests(h: Harness) {
  const wait = <T>(what: string, check: () => T | Promise<T>) => waitFor(what, check, h.options.waitTimeoutMs);
  const texts = (chunks: { data: string }[]) => chunks.map((chunk) => chunk.data);

  describe("streams", () => {
    test("writes get the next indexes from 0; reads start at any index, up to a limit", async () => {
      const runId = await createRun(h.world, { started: true });
      const { streams } = h.world;
      expect(await streams.info(runId, "default")).toEqual({ tailIndex: -1, done: false });
      expect(await streams.read(runId, "default", 0)).toEqual([]);
      expect(await streams.write(runId, "default", ["a"])).toBe(0);
      expect(await streams.write(runId, "default", ["b", "c", "d"])).toBe(1);
      expect(await streams.write(runId, "default", ['{"x":1}'])).toBe(4);
      expect(await streams.info(runId, "default")).toEqual({ tailIndex: 4, done: false });
      expect(await streams.read(runId, "default", 0)).toEqual([
        { index: 0, data: "a" },
        { index: 1, data: "b" },
        { index: 2, data: "c" },
        { index: 3, data: "d" },
        { index: 4, data: '{"x":1}' },
      ]);
      expect(texts(await streams.read(runId, "default", 3))).toEqual(["d", '{"x":1}']);
      expect(texts(await streams.read(runId, "default", 1, 2))).toEqual(["b", "c"]);
      expect(await streams.read(runId, "default", 5)).toEqual([]);
      expect(await streams.read(runId, "default", 1_000)).toEqual([]);
    });

    test("chunks are kept exactly, unicode and large ones included", async () => {
      const runId = await createRun(h.world);
      const odd = ["", " ", "é€😀\u0000\n\"'\\", "x".repeat(256 * 1024), '{"$t":"u"}'];
      for (const chunk of odd) await h.world.streams.write(runId, "default", [chunk]);
      expect(texts(await h.world.streams.read(runId, "default", 0))).toEqual(odd);
    });

    test("namespaces are independent streams; list names them", async () => {
      const runId = await createRun(h.world);
      const { streams } = h.world;
      expect(await streams.list(runId)).toEqual([]);
      await streams.write(runId, "default", ["d0"]);
      await streams.write(runId, "progress", ["p0", "p1"]);
      await streams.write(runId, "agent-2.log", ["l0"]);
      expect(await streams.write(runId, "default", ["d1"])).toBe(1);
      expect(texts(await streams.read(runId, "progress", 0))).toEqual(["p0", "p1"]);
      expect(texts(await streams.read(runId, "default", 0))).toEqual(["d0", "d1"]);
      expect(await streams.list(runId)).toEqual(["agent-2.log", "default", "progress"]);
      // Another run's stream of the same name is its own.
      const other = await createRun(h.world);
      expect(await streams.info(other, "progress")).toEqual({ tailIndex: -1, done: false });
    });

    test("chunks are not events: the run's log is unchanged by writes", async () => {
      const runId = await createRun(h.world, { started: true });
      const before = await h.world.readEvents(runId);
      await h.world.streams.write(
        runId,
        "default",
        Array.from({ length: 50 }, (_, i) => `c${i}`),
      );
      expect(await h.world.readEvents(runId)).toEqual(before);
      expect((await h.world.getRun(runId))?.lastSeq).toBe(2);
    });

    test("close ends a stream: done, idempotent, later writes throw StreamClosedError and store nothing", async () => {
      const runId = await createRun(h.world);
      const { streams } = h.world;
      await streams.write(runId, "default", ["a", "b"]);
      await streams.close(runId, "default");
      await streams.close(runId, "default");
      expect(await streams.info(runId, "default")).toEqual({ tailIndex: 1, done: true });
      const error = await streams.write(runId, "default", ["c"]).catch((e: unknown) => e);
      expect(StreamClosedError.is(error), String(error)).toBe(true);
      expect((error as Error).message).toContain('"default"');
      expect(texts(await streams.read(runId, "default", 0))).toEqual(["a", "b"]);
      // Closing a stream nobody wrote to is allowed (a reader then ends at once).
      await streams.close(runId, "empty");
      expect(await streams.info(runId, "empty")).toEqual({ tailIndex: -1, done: true });
      expect(await streams.list(runId)).toEqual(["default", "empty"]);
      // Other namespaces stay open.
      expect(await streams.write(runId, "other", ["x"])).toBe(0);
    });

    test("concurrent writers never share an index nor leave a gap", async () => {
      const runId = await createRun(h.world);
      const writers = Array.from({ length: h.options.racers }, (_, w) =>
        (async () => {
          const indexes: number[] = [];
          for (let i = 0; i < 10; i++)
            indexes.push(await h.world.streams.write(runId, "default", [`w${w}-${i}`, `w${w}-${i}b`]));
          return indexes;
        })(),
      );
      const indexes = (await Promise.all(writers)).flat();
      const total = h.options.racers * 20;
      // Each write got two adjacent indexes of its own.
      expect(new Set(indexes).size).toBe(indexes.length);
      const chunks = await h.world.streams.read(runId, "default", 0, 10_000);
      expect(chunks.map((c) => c.index)).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(new Set(texts(chunks)).size).toBe(total);
      for (const first of indexes) expect(chunks[first + 1]!.data).toBe(`${chunks[first]!.data}b`);
      // Each writer's chunks are in the order it wrote them.
      for (let w = 0; w < h.options.racers; w++) {
        const mine = texts(chunks).filter((t) => t.startsWith(`w${w}-`));
        expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => [`w${w}-${i}`, `w${w}-${i}b`]).flat());
      }
    });

    test("subscribers hear of writes and closes", async () => {
      const runId = await createRun(h.world);
      const heard: string[] = [];
      const stop = h.world.streams.subscribe((run, namespace) => {
        if (run === runId) heard.push(namespace);
      });
      await h.world.streams.write(runId, "news", ["a"]);
      await wait("the write's notification", () => heard.includes("news"));
      await h.world.streams.close(runId, "closing");
      await wait("the close's notification", () => heard.includes("closing"));
      stop();
      const count = heard.length;
      await h.world.streams.write(runId, "news", ["b"]);
      await new Promise((resolve) => setTimeout(resolve, h.options.quietMs));
      expect(heard.length).toBe(count);
    });

    test("bad arguments get a WorldError naming the call", async () => {
      const runId = await createRun(h.world);
      const { streams } = h.world;
      for (const namespace of ["", "a:b", "../x", "..", "a/b", "x".repeat(101), 5 as unknown as string]) {
        const error = await streams.write(runId, namespace, ["a"]).catch((e: unknown) => e);
        expect(WorldError.is(error), `namespace ${String(namespace)}: ${String(error)}`).toBe(true);
        expect((error as Error).message).toContain("namespace");
      }
      for (const chunks of [[], [1], "abc", null] as unknown as string[][]) {
        const error = await streams.write(runId, "default", chunks).catch((e: unknown) => e);
        expect(WorldError.is(error), String(error)).toBe(true);
      }
      await expect(streams.read(runId, "default", -1)).rejects.toThrow(/startIndex/);
      await expect(streams.read(runId, "default", 0, 0)).rejects.toThrow(/limit/);
      expect(() => streams.subscribe(null as never)).toThrow(/listener/);
      expect(await streams.info(runId, "default")).toEqual({ tailIndex: -1, done: false });
    });

    test("after a restart the chunks, the tail and the close are still there; writes go on at the next index", async ({
      skip,
    }) => {
      if (!h.canReopen) skip();
      const runId = await createRun(h.world);
      await h.world.streams.write(runId, "default", ["a", "b", "c"]);
      await h.world.streams.write(runId, "closed", ["z"]);
      await h.world.streams.close(runId, "closed");
      const world = await h.reopen();
      expect(await world.streams.info(runId, "default")).toEqual({ tailIndex: 2, done: false });
      expect(await world.streams.write(runId, "default", ["d"])).toBe(3);
      expect(texts(await world.streams.read(runId, "default", 0))).toEqual(["a", "b", "c", "d"]);
      await expect(world.streams.write(runId, "closed", ["y"])).rejects.toSatisfy(StreamClosedError.is);
    });

    test("two instances: writes interleave without a gap, and each hears of the other's writes", async ({ skip }) => {
      if (!h.hasPeers) skip();
      const other = await h.peer();
      const runId = await createRun(h.world);
      const heard: string[] = [];
      const stop = other.streams.subscribe((run, namespace) => {
        if (run === runId) heard.push(namespace);
      });
      h.onTearDown(stop);
      await h.world.streams.write(runId, "default", ["from-first"]);
      await wait("the peer hearing of the first instance's write", () => heard.length > 0);
      expect(texts(await other.streams.read(runId, "default", 0))).toEqual(["from-first"]);

      const outcomes = await settle(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : h.world).streams.write(runId, "default", [`c${i}`])),
      );
      expect(
        outcomes.every((o) => o.ok),
        JSON.stringify(outcomes.filter((o) => !o.ok).map((o) => String(!o.ok && o.error))),
      ).toBe(true);
      const chunks = await other.streams.read(runId, "default", 0);
      expect(chunks.map((c) => c.index)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      await other.streams.close(runId, "default");
      await expect(h.world.streams.write(runId, "default", ["late"])).rejects.toSatisfy(StreamClosedError.is);
    });
  });
}
