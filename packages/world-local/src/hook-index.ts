/**
 * The hook index: `hooks:<tokenHash>.json` holds the hook that holds a token hash (active, or
 * the most recently ended), so a token is looked up with one key read however many runs exist.
 * Every change of an entry happens under the token's lock, so within a process two runs can
 * never both claim a token and an end never overwrites a newer claim.
 */
import { HookConflictError, type HookRecord } from "@hookline/core/world";
import type { KeyedMutex } from "./keyed-mutex.js";
import { HOOKS_BASE, hookKey } from "./keys.js";
import type { Store } from "./store.js";

/** Whether the run's own log (not the possibly stale index) says the hook is still active. */
export type HolderCheck = (record: HookRecord) => Promise<boolean>;

export class HookIndex {
  readonly #store: Store;
  readonly #locks: KeyedMutex;
  readonly #holderActive: HolderCheck;

  constructor(store: Store, locks: KeyedMutex, holderActive: HolderCheck) {
    this.#store = store;
    this.#locks = locks;
    this.#holderActive = holderActive;
  }

  get(tokenHash: string): Promise<HookRecord | null> {
    return this.#store.read<HookRecord>(hookKey(tokenHash));
  }

  async list(): Promise<HookRecord[]> {
    const keys = await this.#store.keys(HOOKS_BASE, 1);
    const records = await Promise.all(keys.map((key) => this.#store.read<HookRecord>(key)));
    return records.filter((record): record is HookRecord => record !== null);
  }

  /**
   * Claims `record.tokenHash` for a new hook: throws HookConflictError when another active hook
   * holds it; otherwise runs `commit`, which appends the hook_created event and, while applying
   * it, points the index at the new hook with `writeClaimed` — all under the token's lock.
   */
  claim<T>(record: HookRecord, commit: () => Promise<T>): Promise<T> {
    return this.#locks.run(record.tokenHash, async () => {
      const current = await this.get(record.tokenHash);
      if (current?.status === "active" && (await this.#holderActive(current))) {
        throw new HookConflictError(
          `Run ${record.runId}: the hook token is already held by an active hook of run ${current.runId} (hook ${current.hookId}). A token is unique among active hooks; dispose that hook or choose another token.`,
          { heldBy: current.runId },
        );
      }
      return commit();
    });
  }

  /** Writes the entry of a hook whose claim is being committed (the caller holds the token's lock via claim()). */
  writeClaimed(record: HookRecord): Promise<void> {
    return this.#store.write(hookKey(record.tokenHash), record);
  }

  /**
   * Re-points the index at a hook whose hook_created was appended before a crash cut off the
   * index write, unless another hook has claimed the token since.
   */
  repairClaim(record: HookRecord): Promise<void> {
    return this.#locks.run(record.tokenHash, async () => {
      const current = await this.get(record.tokenHash);
      if (current && !isSameHook(current, record)) {
        if (current.status === "active" && (await this.#holderActive(current))) return;
        if (current.createdAt > record.createdAt) return;
      }
      if (current && isSameHook(current, record) && current.status === "ended") return;
      await this.#store.write(hookKey(record.tokenHash), record);
    });
  }

  /** Marks the entry ended if it still names this hook (a later claim of the token is left alone). */
  end(ended: HookRecord): Promise<void> {
    return this.#locks.run(ended.tokenHash, async () => {
      const current = await this.get(ended.tokenHash);
      if (!current || !isSameHook(current, ended) || current.status === "ended") return;
      await this.#store.write(hookKey(ended.tokenHash), ended);
    });
  }
}

const isSameHook = (a: HookRecord, b: HookRecord) => a.runId === b.runId && a.hookId === b.hookId;
