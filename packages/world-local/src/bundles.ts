/**
 * The local world's workflow bundles: `bundles:<id>.js` holds a bundle's code (written once, by an
 * exclusive create) and `bundles:<id>.json` when it was last stored. A sweep removes the metadata
 * first, so a half-finished sweep leaves no bundle that lists without its code.
 */
import {
  type BundleInfo,
  checkBundleId,
  type StoredBundle,
  type SweepOptions,
  type WorkflowEvent,
  type WorldBundles,
} from "@hookline/core/world";
import type { KeyedMutex } from "./keyed-mutex.js";
import { BUNDLES_BASE, bundleCodeKey, bundleMetaKey, leafId } from "./keys.js";
import type { Runs } from "./runs.js";
import type { Store } from "./store.js";

interface BundleMeta {
  storedAt: number;
  bytes: number;
}

export interface LocalBundlesOptions {
  store: () => Promise<Store>;
  locks: KeyedMutex;
  runs: Runs;
  readEvents: (runId: string) => Promise<WorkflowEvent[]>;
}

const check = (id: unknown, where: string) => checkBundleId("Local world", id, `bundles.${where}`);

export class LocalBundles implements WorldBundles {
  readonly #options: LocalBundlesOptions;

  constructor(options: LocalBundlesOptions) {
    this.#options = options;
  }

  async put(id: string, code: string, at: number): Promise<void> {
    check(id, "put");
    const store = await this.#options.store();
    await this.#options.locks.run(`bundle:${id}`, async () => {
      await store.create(bundleCodeKey(id), code);
      await store.write(bundleMetaKey(id), { storedAt: at, bytes: Buffer.byteLength(code) } satisfies BundleMeta);
    });
  }

  async get(id: string): Promise<StoredBundle | null> {
    check(id, "get");
    const store = await this.#options.store();
    const meta = await store.read<BundleMeta>(bundleMetaKey(id));
    if (!meta) return null;
    const code = await store.readText(bundleCodeKey(id));
    return code === null ? null : { id, code, storedAt: meta.storedAt };
  }

  async list(): Promise<BundleInfo[]> {
    const store = await this.#options.store();
    const found: BundleInfo[] = [];
    for (const key of await store.keys(BUNDLES_BASE, 1)) {
      if (!key.endsWith(".json")) continue;
      const id = leafId(key);
      const meta = await store.read<BundleMeta>(key);
      if (meta) found.push({ id, storedAt: meta.storedAt, bytes: meta.bytes });
    }
    return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async sweep({ keep, storedBefore }: SweepOptions): Promise<string[]> {
    const kept = new Set(keep);
    const candidates = (await this.list()).filter((b) => !kept.has(b.id) && b.storedAt < storedBefore);
    if (candidates.length === 0) return [];
    const needed = await this.#unfinishedBundleIds();
    const store = await this.#options.store();
    const removed: string[] = [];
    for (const { id } of candidates) {
      if (needed.has(id)) continue;
      await this.#options.locks.run(`bundle:${id}`, async () => {
        // Stored again since it was listed: an instance is starting runs with it.
        const meta = await store.read<BundleMeta>(bundleMetaKey(id));
        if (!meta || meta.storedAt >= storedBefore) return;
        await store.remove(bundleMetaKey(id));
        await store.remove(bundleCodeKey(id));
        removed.push(id);
      });
    }
    return removed;
  }

  /** The bundles unfinished runs name (run_created, run_upgraded). Reads their logs: a sweep is rare. */
  async #unfinishedBundleIds(): Promise<Set<string>> {
    const { runs, readEvents } = this.#options;
    const ids = new Set<string>();
    for (const runId of await runs.runIds()) {
      const status = (await runs.summary(runId))?.status;
      if (status !== "pending" && status !== "running") continue;
      for (const event of await readEvents(runId)) {
        if ((event.type === "run_created" || event.type === "run_upgraded") && event.data.bundleId)
          ids.add(event.data.bundleId);
      }
    }
    return ids;
  }
}
