/**
 * The test world: the local world on its memory driver (runs, hooks, streams, slots and
 * schedules exactly as an app stores them), with its queue on the virtual clock. Appends that
 * wake a run enqueue the wake after the append; in one process with nothing persisted that is
 * what the local world's held message amounts to. Concurrency slots wake runs through the local
 * world's own queue, whose messages are forwarded here as they come.
 */
import type {
  AppendListener,
  AppendOptions,
  Consumer,
  EventOf,
  HookRecord,
  ListRefusalsOptions,
  ListRunsOptions,
  NewEvent,
  NewRefusal,
  RecordedDelivery,
  RefusedDelivery,
  RunSummary,
  WorkflowEvent,
  World,
} from "@hookline/core/world";
import { createLocalWorld, type LocalWorld } from "@hookline/world-local";
import type { VirtualClock } from "./virtual-clock.js";
import { VirtualQueue } from "./virtual-queue.js";

export class MemoryWorld implements World {
  readonly name = "memory";
  readonly queue: VirtualQueue;
  readonly #inner: LocalWorld;
  #forwarding: Consumer | null = null;

  constructor(clock: VirtualClock, report: (error: unknown, where: string) => void) {
    this.#inner = createLocalWorld({ driver: "memory", scanIntervalMs: 0, onError: report });
    this.queue = new VirtualQueue(clock, report);
  }

  get streams(): World["streams"] {
    return this.#inner.streams;
  }
  get slots(): World["slots"] {
    return this.#inner.slots;
  }
  get schedules(): World["schedules"] {
    return this.#inner.schedules;
  }
  get bundles(): World["bundles"] {
    return this.#inner.bundles;
  }

  async start(): Promise<void> {
    await this.#inner.start();
    this.#forwarding ??= this.#inner.queue.consume((message) => this.queue.enqueue(message));
  }

  async close(): Promise<void> {
    await this.#forwarding?.stop();
    this.queue.close();
    await this.#inner.close();
  }

  async append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent> {
    const { wake, ...rest } = options;
    const stored = await this.#inner.append(runId, event, rest);
    if (wake) await this.queue.enqueue({ runId }, wake);
    return stored;
  }

  readEvents(runId: string, afterSeq?: number): Promise<WorkflowEvent[]> {
    return this.#inner.readEvents(runId, afterSeq);
  }
  getRun(runId: string): Promise<RunSummary | null> {
    return this.#inner.getRun(runId);
  }
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]> {
    return this.#inner.listRuns(options);
  }
  getHook(tokenHash: string): Promise<HookRecord | null> {
    return this.#inner.getHook(tokenHash);
  }
  listHooks(options?: { runId?: string; status?: HookRecord["status"] }): Promise<HookRecord[]> {
    return this.#inner.listHooks(options);
  }
  getDelivery(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    return this.#inner.getDelivery(runId, hookId, dedupeKey);
  }
  getResponse(runId: string, requestId: string): Promise<EventOf<"webhook_responded"> | null> {
    return this.#inner.getResponse(runId, requestId);
  }
  recordRefusal(refusal: NewRefusal): Promise<void> {
    return this.#inner.recordRefusal(refusal);
  }
  listRefusals(options?: ListRefusalsOptions): Promise<RefusedDelivery[]> {
    return this.#inner.listRefusals(options);
  }
  onAppend(listener: AppendListener): () => void {
    return this.#inner.onAppend(listener);
  }
}
