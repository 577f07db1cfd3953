/**
 * Refused deliveries, kept beside the runs (never in a log): one file per hook,
 * `refusals:<runId>:<hookId>.json`, holding at most MAX_REFUSALS_PER_HOOK entries, oldest first.
 * Rewritten whole under a per-hook lock in this process; the runtime coalesces repeats before
 * they get here, so a hammered URL costs about one small write per second.
 */
import { MAX_REFUSALS_PER_HOOK, type NewRefusal, type RefusedDelivery } from "@hookline/core/world";
import { KeyedMutex } from "./keyed-mutex.js";
import type { Store } from "./store.js";

const BASE = "refusals";
const refusalKey = (runId: string, hookId: string) => `${BASE}:${runId}:${hookId}.json`;

export class RefusalStore {
  readonly #store: Store;
  readonly #locks = new KeyedMutex();

  constructor(store: Store) {
    this.#store = store;
  }

  record(refusal: NewRefusal): Promise<void> {
    const key = refusalKey(refusal.runId, refusal.hookId);
    return this.#locks.run(key, async () => {
      const entries = (await this.#store.read<RefusedDelivery[]>(key)) ?? [];
      const newest = entries.at(-1);
      if (
        newest &&
        newest.status === refusal.status &&
        newest.reason === refusal.reason &&
        newest.method === refusal.method
      ) {
        newest.count += refusal.count;
        newest.lastAt = Math.max(newest.lastAt, refusal.at);
        newest.headers = refusal.headers;
        if (refusal.address === undefined) delete newest.address;
        else newest.address = refusal.address;
      } else {
        const { at, count, ...rest } = refusal;
        entries.push({ ...rest, firstAt: at, lastAt: at, count });
      }
      await this.#store.write(key, entries.slice(-MAX_REFUSALS_PER_HOOK));
    });
  }

  async list(options: { runId?: string; hookId?: string; limit: number }): Promise<RefusedDelivery[]> {
    const keys =
      options.runId === undefined
        ? await this.#store.keys(BASE, 2)
        : options.hookId === undefined
          ? await this.#store.keys(`${BASE}:${options.runId}`, 2)
          : [refusalKey(options.runId, options.hookId)];
    const found: RefusedDelivery[] = [];
    for (const key of keys) found.push(...((await this.#store.read<RefusedDelivery[]>(key)) ?? []));
    return found.sort((a, b) => b.lastAt - a.lastAt || b.firstAt - a.firstAt).slice(0, options.limit);
  }
}
