/**
 * The workflow bundles this process replays with: the current build's (registered by the app, or
 * given to the runtime), stored in the world on first use so every instance can replay the runs it
 * starts; and older builds' bundles, read from the world by id for runs they started, each compiled
 * once and cached (a few at a time, least recently used first out).
 */
import { WorkflowNotRegisteredError } from "../shared/errors.js";
import { bundleIdOf } from "../world/bundles.js";
import type { WorkflowEvent } from "../world/events.js";
import type { World } from "../world/world.js";
import type { WorkflowBundleSource } from "./registry.js";
import { WorkflowBundle } from "./sandbox.js";

/** Stored again this often while runs are started with it, so a sweep elsewhere never takes it. */
const RESTORE_EVERY_MS = 10 * 60_000;
/** Older builds' bundles held compiled in memory. */
const MAX_CACHED = 8;

export class BundleStore {
  readonly #world: World;
  readonly #source: () => WorkflowBundleSource | null;
  #current: WorkflowBundle | null = null;
  #storedAt = 0;
  #storing: Promise<void> | null = null;
  readonly #others = new Map<string, Promise<WorkflowBundle | null>>();

  constructor(world: World, source: () => WorkflowBundleSource | null) {
    this.#world = world;
    this.#source = source;
  }

  /** The current build's bundle; null while the app's code is not loaded. */
  current(): WorkflowBundle | null {
    const source = this.#source();
    if (!source) return null;
    if (this.#current?.source.code !== source.code) {
      this.#current = new WorkflowBundle(source, bundleIdOf(source.code));
      this.#storedAt = 0;
    }
    return this.#current;
  }

  /**
   * The current bundle's id, once it is stored in the world (new runs record it); undefined without
   * a bundle. Stored once before the first run; later refreshes of its storedAt run in the background.
   */
  async currentId(): Promise<string | undefined> {
    const bundle = this.current();
    if (!bundle) return undefined;
    if (Date.now() - this.#storedAt > RESTORE_EVERY_MS) {
      const stored = this.#storedAt > 0;
      this.#storing ??= this.#world.bundles
        .put(bundle.id, bundle.source.code, Date.now())
        .then(() => {
          if (this.#current === bundle) this.#storedAt = Date.now();
        })
        .finally(() => {
          this.#storing = null;
        });
      if (!stored) await this.#storing;
      else this.#storing.catch(() => {});
    }
    return bundle.id;
  }

  /**
   * The bundle a run replays with: `bundleId`'s (the current one's if it is the same, or for a run
   * older than bundle ids), read from the world; null if the world does not hold it.
   */
  async forRun(bundleId: string | undefined): Promise<WorkflowBundle | null> {
    const current = this.current();
    if (bundleId === undefined || bundleId === current?.id) return current;
    let loading = this.#others.get(bundleId);
    if (loading) {
      this.#others.delete(bundleId);
    } else {
      loading = this.#world.bundles
        .get(bundleId)
        .then((stored) =>
          stored
            ? new WorkflowBundle(
                { code: stored.code, filename: current?.source.filename ?? "hookline-workflows.js" },
                bundleId,
              )
            : null,
        );
      // A failed read is not remembered.
      loading.then(
        (bundle) => bundle ?? this.#others.delete(bundleId),
        () => this.#others.delete(bundleId),
      );
    }
    this.#others.set(bundleId, loading);
    if (this.#others.size > MAX_CACHED) this.#others.delete(this.#others.keys().next().value!);
    return loading;
  }

  /**
   * Removes stored bundles no unfinished run needs, keeping the current one and any stored in the
   * last `graceMs` (an instance of another build may be starting runs with it).
   */
  async sweep(graceMs: number): Promise<string[]> {
    // Kept without storing it: a build is stored only once a run starts with it (next dev makes one per edit).
    const id = this.current()?.id;
    return this.#world.bundles.sweep({ keep: id ? [id] : [], storedBefore: Date.now() - graceMs });
  }
}

/** The bundle a log replays with: its latest run_upgraded's, else its run_created's (undefined: older than bundle ids). */
export function replayBundleId(events: WorkflowEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === "run_upgraded") return event.data.bundleId;
    if (event.type === "run_created") return event.data.bundleId;
  }
  return undefined;
}

/** `bundle` if run `run` can replay with it (it exists, it has the run's workflow); else WorkflowNotRegisteredError saying why not. */
export function replayableBundle(
  bundle: WorkflowBundle | null,
  run: { runId: string; workflowId: string; bundleId: string | undefined },
  currentBundleId: string | undefined,
): WorkflowBundle {
  if (!bundle) {
    throw new WorkflowNotRegisteredError(
      run.bundleId === undefined || run.bundleId === currentBundleId
        ? `No workflow bundle is loaded in this process, so workflow "${run.workflowId}" cannot run. In a Next.js app, withWorkflow() builds it.`
        : `Run ${run.runId} replays with workflow bundle ${run.bundleId.slice(0, 12)}, which is not this build's and which the world no longer holds.`,
    );
  }
  if (!bundle.workflowIds().has(run.workflowId)) {
    throw new WorkflowNotRegisteredError(
      `Workflow "${run.workflowId}" is not in this build; it was renamed or removed since run ${run.runId} started.`,
    );
  }
  return bundle;
}
