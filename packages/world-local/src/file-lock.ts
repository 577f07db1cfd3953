/**
 * A lock shared by the processes that share a directory: the file `lockKey`, created
 * exclusively, so they take turns. A lock left by a process that died inside it (older than
 * STALE_LOCK_MS, far longer than the few reads and writes it covers) is broken by the one
 * process that first creates its `.broken` marker (`brokenKey(id)`); the holder's work must
 * then be repairable by the next holder. Callers order their own turns with an in-process mutex.
 */
import { randomBytes } from "node:crypto";
import type { Store } from "./store.js";

const STALE_LOCK_MS = 5_000;

export interface LockFile {
  lockKey: string;
  brokenKey: (lockId: string) => string;
}

export async function withFileLock<T>(store: Store, lock: LockFile, task: () => Promise<T>): Promise<T> {
  const id = randomBytes(8).toString("hex");
  for (let turn = 0; ; turn++) {
    if (await store.create(lock.lockKey, JSON.stringify({ id, at: Date.now() }))) break;
    const holder = await store.read<{ id: string; at: number }>(lock.lockKey).catch(() => null);
    if (
      holder &&
      Date.now() - holder.at > STALE_LOCK_MS &&
      (await store.create(lock.brokenKey(holder.id), JSON.stringify({ at: Date.now() })))
    ) {
      await store.remove(lock.lockKey);
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1 + turn, 20)));
  }
  try {
    return await task();
  } finally {
    const holder = await store.read<{ id: string }>(lock.lockKey).catch(() => null);
    if (holder?.id === id) await store.remove(lock.lockKey);
  }
}
