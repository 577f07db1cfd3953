/**
 * Concurrency slots (World.slots) in files: `slots:<sha256(key)>.json` holds a key's holders and
 * its line of waiters, read and rewritten whole under the key's lock. The lock is the file
 * `slots:<sha256(key)>.lock` (file-lock.ts), so processes sharing the directory take turns;
 * within a process the key's mutex orders the turns.
 *
 * A holder's lease is a time in ms (this machine's clock, which every process sharing the
 * directory reads). A lease that ran out puts its run back in line at its old place (its ticket),
 * so a run whose process was killed resumes before runs that asked later.
 */
import { createHash } from "node:crypto";
import type { SlotAnswer, SlotRequest, SlotState, WorldSlots } from "@hookline/core/world";
import { checkHeldSlots, checkRunId, checkSlotRequest, checkText } from "./checks.js";
import { withFileLock } from "./file-lock.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { slotBrokenKey, slotLockKey, slotsKey } from "./keys.js";
import type { Store } from "./store.js";

/** One run holding (leaseUntil set) or waiting for (leaseUntil absent) a slot. */
interface SlotEntry {
  runId: string;
  /** Order of asking: the lowest waiting ticket is first in line. */
  ticket: number;
  /** The limit this run was started with (the limit counted when it is first in line). */
  limit: number;
  /** The runtime that took the slot; absent while it is granted but not taken yet. */
  owner?: string;
  leaseUntil?: number;
}

interface SlotFile {
  key: string;
  next: number;
  entries: SlotEntry[];
}

export interface SlotDeps {
  store(): Promise<Store>;
  locks: KeyedMutex;
  leaseMs: number;
  /** Wakes a run that was granted a slot. */
  wake(runId: string): Promise<void>;
  report(error: unknown, where: string): void;
}

export class LocalSlots implements WorldSlots {
  readonly leaseMs: number;
  readonly #deps: SlotDeps;

  constructor(deps: SlotDeps) {
    this.#deps = deps;
    this.leaseMs = deps.leaseMs;
  }

  async acquire(request: SlotRequest): Promise<SlotAnswer> {
    const { key, limit, runId, owner } = checkSlotRequest(request);
    const { answer, woken } = await this.#update(key, (file, now) => {
      let mine = file.entries.find((entry) => entry.runId === runId);
      if (!mine) {
        mine = { runId, ticket: file.next++, limit };
        file.entries.push(mine);
      }
      mine.limit = limit;
      const woken = settle(file, now, this.leaseMs).filter((id) => id !== runId);
      if (mine.leaseUntil !== undefined && (mine.owner === undefined || mine.owner === owner)) {
        mine.owner = owner;
        mine.leaseUntil = now + this.leaseMs;
        return { answer: { granted: true } as SlotAnswer, woken };
      }
      // Held for this run by another runtime (it drives the run there): ask again when that lease ends.
      const ends =
        mine.leaseUntil !== undefined
          ? [mine.leaseUntil]
          : file.entries.flatMap((e) => (e.leaseUntil === undefined ? [] : [e.leaseUntil]));
      const retryInMs = ends.length === 0 ? null : Math.max(0, Math.min(...ends) - now);
      return { answer: { granted: false, retryInMs } as SlotAnswer, woken };
    });
    await this.#wake(woken);
    return answer;
  }

  async release(key: string, runId: string, owner: string): Promise<void> {
    checkText(key, "the key", "slots.release");
    checkRunId(runId, "slots.release");
    checkText(owner, "the owner", "slots.release");
    const { woken } = await this.#update(key, (file, now) => {
      file.entries = file.entries.filter(
        (e) =>
          e.runId !== runId ||
          (e.leaseUntil !== undefined && e.owner !== undefined && e.owner !== owner && e.leaseUntil > now),
      );
      return { answer: undefined, woken: settle(file, now, this.leaseMs) };
    });
    await this.#wake(woken);
  }

  async renew(
    owner: string,
    held: Array<{ key: string; runId: string }>,
  ): Promise<Array<{ key: string; runId: string }>> {
    checkText(owner, "the owner", "slots.renew");
    const byKey = new Map<string, Set<string>>();
    for (const { key, runId } of checkHeldSlots(held)) {
      byKey.set(key, (byKey.get(key) ?? new Set()).add(runId));
    }
    const lost: Array<{ key: string; runId: string }> = [];
    for (const [key, runIds] of byKey) {
      await this.#update(key, (file, now) => {
        for (const runId of runIds) {
          const entry = file.entries.find((e) => e.runId === runId);
          if (entry?.leaseUntil !== undefined && entry.owner === owner && entry.leaseUntil > now)
            entry.leaseUntil = now + this.leaseMs;
          else lost.push({ key, runId });
        }
        return { answer: undefined, woken: [] };
      });
    }
    return lost;
  }

  async inspect(key: string): Promise<SlotState> {
    checkText(key, "the key", "slots.inspect");
    const store = await this.#deps.store();
    const file = await store.read<SlotFile>(slotsKey(hashOf(key)));
    const entries = file?.entries ?? [];
    return {
      holders: entries
        .filter((e) => e.leaseUntil !== undefined)
        .map((e) => ({
          runId: e.runId,
          ...(e.owner === undefined ? {} : { owner: e.owner }),
          leaseUntil: e.leaseUntil!,
        })),
      waiters: entries
        .filter((e) => e.leaseUntil === undefined)
        .sort((a, b) => a.ticket - b.ticket)
        .map((e) => ({ runId: e.runId, limit: e.limit })),
    };
  }

  /** Reads the key's file under its lock, lets `change` edit it, writes it back (or removes it once empty). */
  async #update<T>(
    key: string,
    change: (file: SlotFile, now: number) => { answer: T; woken: string[] },
  ): Promise<{ answer: T; woken: string[] }> {
    const store = await this.#deps.store();
    const hash = hashOf(key);
    return this.#deps.locks.run(`slots:${hash}`, () =>
      withFileLock(store, { lockKey: slotLockKey(hash), brokenKey: (id) => slotBrokenKey(hash, id) }, async () => {
        const file = (await store.read<SlotFile>(slotsKey(hash))) ?? { key, next: 1, entries: [] };
        const result = change(file, Date.now());
        if (file.entries.length === 0) await store.remove(slotsKey(hash));
        else await store.write(slotsKey(hash), file);
        return result;
      }),
    );
  }

  async #wake(runIds: string[]): Promise<void> {
    for (const runId of runIds) {
      try {
        await this.#deps.wake(runId);
      } catch (error) {
        // Its slot's lease runs out unused, and the next acquire of the key grants it again.
        this.#deps.report(error, `waking run ${runId}, granted a concurrency slot`);
      }
    }
  }
}

/**
 * Puts holders whose lease ran out back in line (at their place), then grants slots to the first
 * in line while the count of holders is below the first waiter's limit. Returns the runs granted.
 */
function settle(file: SlotFile, now: number, leaseMs: number): string[] {
  let held = 0;
  for (const entry of file.entries) {
    if (entry.leaseUntil !== undefined && entry.leaseUntil <= now) {
      delete entry.leaseUntil;
      delete entry.owner;
    }
    if (entry.leaseUntil !== undefined) held += 1;
  }
  const granted: string[] = [];
  for (const entry of file.entries.filter((e) => e.leaseUntil === undefined).sort((a, b) => a.ticket - b.ticket)) {
    if (held >= entry.limit) break;
    entry.leaseUntil = now + leaseMs;
    held += 1;
    granted.push(entry.runId);
  }
  return granted;
}

function hashOf(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
