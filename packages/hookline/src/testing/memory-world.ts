/**
 * The test world: the local world on its memory driver (runs, hooks, streams, slots, schedules
 * stored exactly as an app stores them), with its queue swapped for one on the virtual clock.
 * Everything but the queue, `append`, `start` and `close` is the local world's own, reached
 * through a proxy, so whatever the World interface gains, the test world has.
 *
 * Appends that wake a run enqueue the wake after the append: in one process with nothing
 * persisted, that is what the local world's held wake message amounts to. Concurrency slots wake
 * runs through the local world's own queue, whose messages are forwarded here as they come.
 */
import type { AppendOptions, Consumer, NewEvent, WorkflowEvent, World } from "@hookline/core/world";
import { createLocalWorld, type LocalWorld } from "@hookline/world-local";
import type { VirtualClock } from "./virtual-clock.js";
import { VirtualQueue } from "./virtual-queue.js";

export type MemoryWorld = Omit<LocalWorld, "queue"> & { readonly queue: VirtualQueue };

export function createMemoryWorld(clock: VirtualClock, report: (error: unknown, where: string) => void): MemoryWorld {
  const local = createLocalWorld({ driver: "memory", scanIntervalMs: 0, onError: report });
  const queue = new VirtualQueue(clock, report);
  let forwarding: Consumer | null = null;
  const own: Partial<World> = {
    queue,
    async start() {
      await local.start();
      forwarding ??= local.queue.consume((message) => queue.enqueue(message));
    },
    async close() {
      await forwarding?.stop();
      queue.close();
      await local.close();
    },
    async append(runId: string, event: NewEvent, options: AppendOptions): Promise<WorkflowEvent> {
      const { wake, ...rest } = options;
      const stored = await local.append(runId, event, rest);
      if (wake) await queue.enqueue({ runId }, wake);
      return stored;
    },
  };
  return new Proxy(local, {
    get(target, property) {
      if (Object.hasOwn(own, property)) return own[property as keyof World];
      const value = Reflect.get(target, property, target);
      // The local world's methods use its private fields: call them on the world itself.
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as unknown as MemoryWorld;
}
