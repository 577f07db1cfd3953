/**
 * One world per test: the factory makes it, the harness starts it, and after the test closes it
 * (and whatever the test reopened) and runs the factory's cleanup.
 */
import type { Consumer, QueueHandler, World } from "@hookline/core/world";
import { assert } from "vitest";

export interface WorldUnderTest {
  /** A world that has not been started; the suite calls start(). */
  world: World;
  /** Runs after the test, once the world is closed (remove a temp dir, drop a schema …). */
  cleanup?: () => Promise<void>;
  /**
   * A new, unstarted world over the same storage, as after a process restart. When present, the
   * suite also checks what must survive a restart (the log, summaries, hooks, queued and
   * delayed messages, a message whose handler never finished). The suite closes the previous
   * world first.
   */
  reopen?: () => Promise<World>;
  /**
   * Another unstarted world over the same storage, open at the same time as the first: a second
   * app instance. When present, the suite also checks that instances see each other's appends,
   * race fairly for seqs and tokens, and share the queue.
   */
  peer?: () => Promise<World>;
}

export type WorldFactory = () => Promise<WorldUnderTest>;

export interface ConformanceOptions {
  /** How long to wait for something asynchronous (a delivery, a redelivery) before failing. Default 10 000 ms. */
  waitTimeoutMs?: number;
  /**
   * The delay used by delayed-delivery tests. Default 200 ms. Redelivery after a rejected
   * handler must also come within `waitTimeoutMs`: let the factory lower its backoff.
   */
  delayMs?: number;
  /** Time the suite waits to be confident that something does NOT happen. Default 150 ms. */
  quietMs?: number;
  /** Writers racing in the concurrency tests. Default 8. */
  racers?: number;
  /** How early (ms) a world's clock may run against this process's (e.g. a database server's). Default 0. */
  clockToleranceMs?: number;
}

export type ResolvedConformanceOptions = Required<ConformanceOptions>;

export function resolveConformanceOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  return {
    waitTimeoutMs: options.waitTimeoutMs ?? 10_000,
    delayMs: options.delayMs ?? 200,
    quietMs: options.quietMs ?? 150,
    racers: options.racers ?? 8,
    clockToleranceMs: options.clockToleranceMs ?? 0,
  };
}

export class Harness {
  #current: WorldUnderTest | undefined;
  #world: World | undefined;
  readonly #opened: World[] = [];
  readonly #consumers: Consumer[] = [];
  /** Run at teardown before closing (e.g. release handlers a test left blocked). */
  readonly #releases: Array<() => void> = [];

  constructor(
    private readonly factory: WorldFactory,
    readonly options: ResolvedConformanceOptions,
  ) {}

  get world(): World {
    assert(this.#world, "no world: use the harness inside a test");
    return this.#world;
  }

  get canReopen(): boolean {
    return typeof this.#current?.reopen === "function";
  }

  get hasPeers(): boolean {
    return typeof this.#current?.peer === "function";
  }

  async setUp(): Promise<void> {
    this.#current = await this.factory();
    this.#world = this.#current.world;
    this.#opened.push(this.#world);
    await this.#world.start();
  }

  async tearDown(): Promise<void> {
    for (const release of this.#releases.splice(0)) release();
    try {
      for (const world of this.#opened.splice(0).reverse()) await world.close();
    } finally {
      this.#consumers.length = 0;
      const cleanup = this.#current?.cleanup;
      this.#current = undefined;
      this.#world = undefined;
      await cleanup?.();
    }
  }

  /** Closes the world and opens (and starts) a new one over the same storage. */
  async reopen(): Promise<World> {
    const reopen = this.#current?.reopen;
    assert(reopen, "the world factory has no reopen()");
    await this.world.close();
    this.#world = await reopen();
    this.#opened.push(this.#world);
    await this.#world.start();
    return this.#world;
  }

  /** A second instance over the same storage, started; closed after the test. */
  async peer(): Promise<World> {
    const peer = this.#current?.peer;
    assert(peer, "the world factory has no peer()");
    const world = await peer();
    this.#opened.push(world);
    await world.start();
    return world;
  }

  consume(handler: QueueHandler, options?: { concurrency?: number }, world: World = this.world): Consumer {
    const consumer = world.queue.consume(handler, options);
    this.#consumers.push(consumer);
    return consumer;
  }

  onTearDown(release: () => void): void {
    this.#releases.push(release);
  }
}
