/**
 * What only the local world has to show: ids that would escape its directory, two worlds on one
 * directory in one process, the secret file, the layout marker, its options, other unstorage
 * drivers, and queue state across a reopen.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Delivery,
  EventConflictError,
  HookConflictError,
  HookNotFoundError,
  type NewEvent,
  WorldError,
} from "@hookline/core/world";
import { createStorage } from "unstorage";
import memory from "unstorage/drivers/memory";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLocalWorld, type LocalWorldOptions } from "../src/index.js";
import type { LocalWorld } from "../src/local-world.js";

let dir: string;
const open: LocalWorld[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-local-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((world) => world.close()));
  await rm(dir, { recursive: true, force: true });
});

async function world(options: LocalWorldOptions = {}): Promise<LocalWorld> {
  const opened = createLocalWorld({ dir, ...options });
  open.push(opened);
  await opened.start();
  return opened;
}

const created: NewEvent = { type: "run_created", at: 1, data: { workflowId: "wf//local", args: [], seed: "s" } };
const started: NewEvent = { type: "run_started", at: 2, data: {} };
const hookCreated = (corr: string, tokenHash: string): NewEvent => ({
  type: "hook_created",
  corr,
  at: 3,
  data: { kind: "hook", tokenHash },
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

describe("ids become file names only when they are safe", () => {
  test.each([
    ["../escape"],
    ["a/b"],
    ["a\\b"],
    [".."],
    [".hidden"],
    ["a:b"],
    ["a?b"],
    ["tab\there"],
    ["x".repeat(201)],
  ])("run id %j is refused with a WorldError naming it, and nothing is written", async (runId) => {
    const local = await world();
    const before = await filesUnder(dir);
    for (const call of [
      () => local.append(runId, created, { expectedSeq: 0 }),
      () => local.readEvents(runId),
      () => local.getRun(runId),
      () => local.listHooks({ runId }),
      () => local.queue.enqueue({ runId }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(WorldError.is(error)).toBe(true);
      expect((error as Error).message).toContain("the run id");
    }
    expect(await filesUnder(dir)).toEqual(before);
  });

  test("token hashes and hook ids are checked the same way", async () => {
    const local = await world();
    await local.append("wrun_ids", created, { expectedSeq: 0 });
    await local.append("wrun_ids", started, { expectedSeq: 1 });
    const badHash = await local
      .append("wrun_ids", hookCreated("o1", "../../outside"), { expectedSeq: 2 })
      .catch((e: unknown) => e);
    expect(WorldError.is(badHash)).toBe(true);
    expect((badHash as Error).message).toContain("the token hash");
    const badCorr = await local
      .append("wrun_ids", hookCreated("../o1", "abcd"), { expectedSeq: 2 })
      .catch((e: unknown) => e);
    expect(WorldError.is(badCorr)).toBe(true);
    expect((badCorr as Error).message).toContain("hook id");
    expect(WorldError.is(await local.getHook("a/b").catch((e: unknown) => e))).toBe(true);
    expect((await local.readEvents("wrun_ids")).length).toBe(2);
  });
});

describe("two worlds on one directory in one process", () => {
  test("they race for seqs safely and each reads what the other appended", async () => {
    const [a, b] = [await world(), await world()];
    await a.append("wrun_two", created, { expectedSeq: 0 });
    // b has never seen the run: it learns from the log.
    expect(await b.getRun("wrun_two")).toMatchObject({ lastSeq: 1 });
    await b.append("wrun_two", started, { expectedSeq: 1 });
    // a's view is stale (it thinks the log ends at 1): the exclusive create refuses it.
    const stale = await a
      .append("wrun_two", { type: "run_cancelled", at: 5, data: {} }, { expectedSeq: 1 })
      .catch((e: unknown) => e);
    expect(EventConflictError.is(stale)).toBe(true);
    expect(await a.getRun("wrun_two")).toMatchObject({ status: "running", lastSeq: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).append(
          "wrun_two",
          { type: "step_started", corr: `o${i}`, at: 6, data: { stepId: "s", attempt: 1 } },
          { expectedSeq: 2 },
        ),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await a.readEvents("wrun_two")).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  test("a token is unique across them, and a hook ended in one refuses payloads in the other", async () => {
    const [a, b] = [await world(), await world()];
    for (const runId of ["wrun_ta", "wrun_tb"]) {
      await a.append(runId, created, { expectedSeq: 0 });
      await a.append(runId, started, { expectedSeq: 1 });
    }
    await a.append("wrun_ta", hookCreated("o1", "feed"), { expectedSeq: 2 });
    const conflict = await b.append("wrun_tb", hookCreated("o1", "feed"), { expectedSeq: 2 }).catch((e: unknown) => e);
    expect(HookConflictError.is(conflict)).toBe(true);
    expect((conflict as HookConflictError).heldBy).toBe("wrun_ta");
    await b.append("wrun_ta", { type: "hook_disposed", corr: "o1", at: 4, data: {} }, { expectedSeq: 3 });
    const late = await a
      .append("wrun_ta", { type: "hook_received", corr: "o1", at: 5, data: { payload: 1 } }, { expectedSeq: 4 })
      .catch((e: unknown) => e);
    expect(HookNotFoundError.is(late)).toBe(true);
  });

  test("a stale writer repeating what its rival just appended gets EventConflictError, not a hook refusal", async () => {
    const [a, b] = [await world(), await world()];
    await a.append("wrun_stale", created, { expectedSeq: 0 });
    await b.append("wrun_stale", started, { expectedSeq: 1 });
    // Both decide, at seq 2, to create the same hook; a gets there first.
    await a.append("wrun_stale", hookCreated("o3", "beef"), { expectedSeq: 2 });
    const hook = await b.append("wrun_stale", hookCreated("o3", "beef"), { expectedSeq: 2 }).catch((e: unknown) => e);
    expect(EventConflictError.is(hook)).toBe(true);
    await a.append("wrun_stale", { type: "hook_disposed", corr: "o3", at: 4, data: {} }, { expectedSeq: 3 });
    const payload = await b
      .append("wrun_stale", { type: "hook_received", corr: "o9", at: 5, data: { payload: 1 } }, { expectedSeq: 3 })
      .catch((e: unknown) => e);
    expect(EventConflictError.is(payload)).toBe(true);
  });

  test("onAppend listeners of one hear appends made through the other", async () => {
    const [a, b] = [await world(), await world()];
    const heard: string[] = [];
    a.onAppend((runId, seq) => heard.push(`${runId}#${seq}`));
    await b.append("wrun_heard", created, { expectedSeq: 0 });
    expect(heard).toEqual(["wrun_heard#1"]);
  });
});

describe("the delivery index", () => {
  const received = (dedupeKey: string, requestId: string): NewEvent => ({
    type: "hook_received",
    corr: "h1",
    at: 4,
    data: { payload: { json: "1" }, requestId, dedupeKey },
  });

  test("an entry is the event's own file under a second name, so a delivery writes one file", async () => {
    const local = await world();
    await local.append("r1", created, { expectedSeq: 0 });
    await local.append("r1", hookCreated("h1", "t1"), { expectedSeq: 1 });
    await local.append("r1", received("msg_1", "req-1"), { expectedSeq: 2 });
    const entries = (await filesUnder(dir)).filter((file) => file.includes("deliveries"));
    expect(entries).toHaveLength(1);
    const entry = await stat(join(dir, entries[0]!));
    const event = await stat(join(dir, "runs", "r1", "events", "0000000003.json"));
    expect([entry.ino, entry.nlink]).toEqual([event.ino, 2]);
    await expect(local.getDelivery("r1", "h1", "msg_1")).resolves.toEqual({
      runId: "r1",
      hookId: "h1",
      dedupeKey: "msg_1",
      requestId: "req-1",
      seq: 3,
    });
    await expect(local.append("r1", received("msg_1", "req-2"), { expectedSeq: 3 })).rejects.toMatchObject({
      requestId: "req-1",
    });
  });

  test("an entry written by an older version (the delivery as its own record) is still read", async () => {
    const local = await world();
    await local.append("r1", created, { expectedSeq: 0 });
    await local.append("r1", hookCreated("h1", "t1"), { expectedSeq: 1 });
    await local.append("r1", received("msg_1", "req-1"), { expectedSeq: 2 });
    const entry = join(dir, (await filesUnder(dir)).find((file) => file.includes("deliveries"))!);
    const old = { runId: "r1", hookId: "h1", dedupeKey: "msg_1", requestId: "req-old", seq: 3 };
    await rm(entry);
    await writeFile(entry, JSON.stringify(old));
    await expect(local.getDelivery("r1", "h1", "msg_1")).resolves.toEqual(old);
  });
});

describe("the secret", () => {
  test("is 64 hex characters in <dir>/secret, readable by the owner only, the same for every world on the directory", async () => {
    const secret = await (await world()).loadSecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await readFile(join(dir, "secret"), "utf8")).trim()).toBe(secret);
    if (process.platform !== "win32") expect((await stat(join(dir, "secret"))).mode & 0o777).toBe(0o600);
    expect(await (await world()).loadSecret()).toBe(secret);
    // Never inside the run records.
    const local = await world();
    await local.append("wrun_secret", created, { expectedSeq: 0 });
    for (const file of await filesUnder(join(dir, "runs")))
      expect(await readFile(join(dir, "runs", file), "utf8")).not.toContain(secret);
  });

  test("worlds asking at once agree on one secret", async () => {
    const worlds = await Promise.all(Array.from({ length: 5 }, () => world()));
    const secrets = await Promise.all(worlds.map((w) => w.loadSecret()));
    expect(new Set(secrets).size).toBe(1);
  });

  test("a damaged secret file is a configuration error saying what to do", async () => {
    await writeFile(join(dir, "secret"), "not a secret");
    const error = await (await world()).loadSecret().catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect((error as WorldError).code).toBe("HOOKLINE_CONFIG");
    expect((error as Error).message).toMatch(/Delete the file/);
  });
});

describe("configuration", () => {
  test("a directory written in another layout is refused at start", async () => {
    await writeFile(join(dir, "world.json"), JSON.stringify({ layout: 99 }));
    const error = await world().catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/layout 99/);
  });

  test("a directory that cannot be made is a configuration error naming it", async () => {
    await writeFile(join(dir, "a-file"), "");
    const error = await world({ dir: join(dir, "a-file", "data") }).catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect((error as WorldError).code).toBe("HOOKLINE_CONFIG");
    expect((error as Error).message).toContain(join(dir, "a-file", "data"));
  });

  test.each([
    [{ driver: "redis" }, /driver must be/],
    [{ redeliveryDelayMs: -1 }, /redeliveryDelayMs/],
    [{ summaryFlushMs: Number.NaN }, /summaryFlushMs/],
    [{ dir: "" }, /dir must be/],
  ])("bad option %j is refused at once", (options, message) => {
    expect(() => createLocalWorld(options as LocalWorldOptions)).toThrow(message);
  });

  test("the default directory is .hookline under the working directory", async () => {
    expect(createLocalWorld().location).toBe(join(process.cwd(), ".hookline"));
  });
});

describe("other unstorage drivers", () => {
  test("unstorage's own memory driver works, with the checks done under the in-process lock", async () => {
    const local = createLocalWorld({ driver: memory() });
    open.push(local);
    await local.append("wrun_u", created, { expectedSeq: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => local.append("wrun_u", started, { expectedSeq: 1 })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await local.readEvents("wrun_u")).map((e) => e.type)).toEqual(["run_created", "run_started"]);
  });

  test("a driver shared by two worlds is one store; close() leaves a caller's driver intact", async () => {
    const driver = memory();
    const first = createLocalWorld({ driver });
    await first.append("wrun_shared", created, { expectedSeq: 0 });
    await first.close();
    const second = createLocalWorld({ driver });
    open.push(second);
    expect(await second.getRun("wrun_shared")).toMatchObject({ lastSeq: 1 });
    expect(await createStorage({ driver }).hasItem("runs:wrun_shared:events:0000000001.json")).toBe(true);
  });
});

describe("the queue across a reopen", () => {
  test("a failed delivery's attempt count and due time survive, and so does key dedupe", async () => {
    const first = await world({ redeliveryDelayMs: 300 });
    const seen: Delivery[] = [];
    first.queue.consume(async (_message, delivery) => {
      seen.push(delivery);
      throw new Error("fails once");
    });
    await first.queue.enqueue({ runId: "wrun_q" });
    await first.queue.enqueue({ runId: "wrun_later" }, { delayMs: 60_000, key: "k" });
    const stored = async () =>
      (await Promise.all((await readdir(join(dir, "queue"))).map((f) => readFile(join(dir, "queue", f), "utf8")))).map(
        (t) => JSON.parse(t),
      );
    await expect.poll(async () => (await stored()).find((m) => m.runId === "wrun_q")?.attempts).toBe(1);
    const dueAt = (await stored()).find((m) => m.runId === "wrun_q")!.dueAt as number;
    await first.close();
    expect(seen.map((d) => d.attempt)).toEqual([1]);

    const second = await world({ redeliveryDelayMs: 300 });
    const again: Array<{ runId: string; attempt: number; at: number }> = [];
    second.queue.consume(async (message, delivery) => {
      again.push({ runId: message.runId, attempt: delivery.attempt, at: Date.now() });
    });
    await second.queue.enqueue({ runId: "wrun_later" }, { key: "k" });
    await expect.poll(() => again.length, { timeout: 5_000 }).toBe(1);
    expect(again[0]).toMatchObject({ runId: "wrun_q", attempt: 2 });
    expect(again[0]!.at).toBeGreaterThanOrEqual(dueAt);
    // The delayed message kept its key: the enqueue above did nothing, and it is not due yet.
    expect((await stored()).map((m) => m.runId)).toEqual(["wrun_later"]);
  });
});

describe("stopping while a handler runs", () => {
  test("stop() resolves without waiting for a running handler, whose message is still acknowledged when it finishes", async () => {
    const local = await world();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const consumer = local.queue.consume(async () => {
      started = true;
      await released;
    });
    await local.queue.enqueue({ runId: "wrun_stop" });
    await expect.poll(() => started).toBe(true);
    // Resolves with the handler still blocked.
    await consumer.stop();
    expect(await readdir(join(dir, "queue"))).toHaveLength(1);
    release();
    await expect.poll(async () => (await readdir(join(dir, "queue"))).length).toBe(0);
  });

  test("close() does not hang on a handler that never settles; its message is delivered again after a restart", async () => {
    const first = createLocalWorld({ dir });
    let handling = false;
    first.queue.consume(async () => {
      handling = true;
      await new Promise(() => {});
    });
    await first.queue.enqueue({ runId: "wrun_stuck" });
    await expect.poll(() => handling).toBe(true);
    await first.close();

    const second = await world();
    const seen: Array<{ runId: string; attempt: number }> = [];
    second.queue.consume(async (message, delivery) => {
      seen.push({ runId: message.runId, attempt: delivery.attempt });
    });
    // Cut off, not failed: the same attempt number again.
    await expect.poll(() => seen).toEqual([{ runId: "wrun_stuck", attempt: 1 }]);
  });
});
