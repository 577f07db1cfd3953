/**
 * Concurrency slots in files: two worlds over one data dir that share no in-process lock (the
 * second opened through a symlink, as another process would open it) never grant more than the
 * limit; a lock file left by a process that died inside is broken; a holder whose lease ran out
 * goes back in line at its old place.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createLocalWorld } from "../src/index.js";
import type { LocalWorld } from "../src/local-world.js";

const opened: LocalWorld[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((world) => world.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function worlds(count: number, options: { slotLeaseMs?: number } = {}): Promise<LocalWorld[]> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-slots-"));
  dirs.push(dir);
  const made: LocalWorld[] = [];
  for (let i = 0; i < count; i++) {
    const path = i === 0 ? dir : `${dir}-link-${i}`;
    if (i > 0) {
      await symlink(dir, path);
      dirs.push(path);
    }
    const world = createLocalWorld({ dir: path, scanIntervalMs: 0, ...options });
    await world.start();
    opened.push(world);
    made.push(world);
  }
  return made;
}

test("two processes asking at once for one key's slots: exactly `limit` are granted, the rest wait in line", async () => {
  const [a, b] = await worlds(2);
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? a! : b!).slots.acquire({ key: "k", limit: 3, runId: `run_${i}`, owner: i % 2 === 0 ? "a" : "b" }),
    ),
  );
  expect(answers.filter((answer) => answer.granted)).toHaveLength(3);
  const state = await b!.slots.inspect("k");
  expect(state.holders).toHaveLength(3);
  expect(state.waiters).toHaveLength(37);
});

test("a lock file left by a process that died while holding it is broken, once, and the key works again", async () => {
  const [world] = await worlds(1);
  const dir = dirs[0]!;
  const hash = createHash("sha256").update("stuck").digest("hex");
  await mkdir(join(dir, "slots"), { recursive: true });
  await writeFile(join(dir, "slots", `${hash}.lock`), JSON.stringify({ id: "dead", at: Date.now() - 60_000 }));
  expect(await world!.slots.acquire({ key: "stuck", limit: 1, runId: "run_1", owner: "a" })).toEqual({ granted: true });
  expect((await world!.slots.inspect("stuck")).holders.map((h) => h.runId)).toEqual(["run_1"]);
  // Broken by the process that first marked it.
  await expect(stat(join(dir, "slots", hash, "dead.broken"))).resolves.toBeTruthy();
});

test("a holder whose lease ran out goes back in line ahead of later askers and gets the slot first", async () => {
  const [world] = await worlds(1, { slotLeaseMs: 100 });
  await world!.slots.acquire({ key: "k", limit: 1, runId: "run_dead", owner: "dead" });
  await world!.slots.acquire({ key: "k", limit: 1, runId: "run_next", owner: "a" });
  await new Promise((resolve) => setTimeout(resolve, 150));
  // The next ask (any run's) notices the expired lease: the dead holder's run gets the slot back, reserved for it.
  expect((await world!.slots.acquire({ key: "k", limit: 1, runId: "run_next", owner: "a" })).granted).toBe(false);
  expect(await world!.slots.inspect("k")).toMatchObject({
    holders: [{ runId: "run_dead" }],
    waiters: [{ runId: "run_next" }],
  });
  expect(await world!.slots.acquire({ key: "k", limit: 1, runId: "run_dead", owner: "b" })).toEqual({ granted: true });
});
