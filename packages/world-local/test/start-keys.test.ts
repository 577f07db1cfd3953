/**
 * Idempotency keys across processes: two worlds over one data dir that share no in-process lock
 * (the second opened through a symlink, as another process would open it) race to take over
 * the same expired keys; each key gets exactly one new holder.
 */
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewEvent } from "@hookline/core/world";
import { afterEach, expect, test } from "vitest";
import { createLocalWorld } from "../src/index.js";
import type { LocalWorld } from "../src/local-world.js";

const opened: LocalWorld[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((world) => world.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function keyed(key: string, at: number, expiresAt?: number): NewEvent {
  return {
    type: "run_created",
    at,
    data: {
      workflowId: "wf//keyed",
      args: [],
      seed: "seed",
      idempotencyKey: key,
      ...(expiresAt === undefined ? {} : { idempotencyKeyExpiresAt: expiresAt }),
    },
  };
}

test("two processes taking over one expired key: exactly one new run holds it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hookline-start-keys-"));
  dirs.push(dir);
  // One folder under two paths: the worlds share the files but not the process's locks.
  const alias = `${dir}-alias`;
  await symlink(dir, alias);
  dirs.push(alias);
  const worlds = [createLocalWorld({ dir }), createLocalWorld({ dir: alias })];
  opened.push(...worlds);
  for (const world of worlds) await world.start();
  const t = Date.now();
  for (let round = 0; round < 20; round++) {
    const key = `key-${round}`;
    await worlds[0]!.append(`run_old_${round}`, keyed(key, t, t + 1), { expectedSeq: 0 });
    const racers = Array.from({ length: 8 }, (_, i) => `run_new_${round}_${i}`);
    const outcomes = await Promise.allSettled(
      racers.map((runId, i) => worlds[i % 2]!.append(runId, keyed(key, t + 10), { expectedSeq: 0 })),
    );
    const winners = racers.filter((_, i) => outcomes[i]!.status === "fulfilled");
    expect(winners, `round ${round}`).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected")
        expect(outcome.reason).toMatchObject({ code: "HOOKLINE_DUPLICATE_START", runId: winners[0] });
    }
  }
}, 120_000);
