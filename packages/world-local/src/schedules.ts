/**
 * The local world's schedules: `schedules:<base64url(id)>.json` per schedule. Creating one is an
 * exclusive create (one winner across processes); other changes are read-modify-write under the
 * schedule's lock in this process. Two processes on one directory may race a declaration or a
 * tick record; neither can make a second run of a tick (the tick's start key decides that).
 */
import { type ScheduleRecord, sameDefinition, type WorldSchedules } from "@hookline/core/world";
import { checkText } from "./checks.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { SCHEDULES_BASE, scheduleKey } from "./keys.js";
import type { Store } from "./store.js";

export class LocalSchedules implements WorldSchedules {
  readonly #store: () => Promise<Store>;
  readonly #locks: KeyedMutex;

  constructor(store: () => Promise<Store>, locks: KeyedMutex) {
    this.#store = store;
    this.#locks = locks;
  }

  async create(record: ScheduleRecord): Promise<{ record: ScheduleRecord; created: boolean }> {
    const key = keyOf(record.id, "schedules.create");
    const store = await this.#store();
    return this.#locks.run(key, async () => {
      for (;;) {
        if (await store.create(key, JSON.stringify(record))) return { record, created: true };
        const existing = await store.read<ScheduleRecord>(key);
        if (existing) return { record: existing, created: false };
        // Deleted between the two: try again.
      }
    });
  }

  async declare(record: ScheduleRecord): Promise<void> {
    const key = keyOf(record.id, "schedules.declare");
    const store = await this.#store();
    await this.#locks.run(key, async () => {
      const existing = await store.read<ScheduleRecord>(key);
      if (!existing) return void (await store.write(key, record));
      const { lastTick, lastRunId } = existing;
      const since =
        sameDefinition(existing, record) && existing.origin === record.origin ? existing.since : record.since;
      await store.write(key, {
        ...record,
        createdAt: existing.createdAt,
        since,
        ...(lastTick === undefined ? {} : { lastTick, lastRunId }),
      });
    });
  }

  async get(id: string): Promise<ScheduleRecord | null> {
    return (await this.#store()).read<ScheduleRecord>(keyOf(id, "schedules.get"));
  }

  async list(): Promise<ScheduleRecord[]> {
    const store = await this.#store();
    const records: ScheduleRecord[] = [];
    for (const key of await store.keys(SCHEDULES_BASE, 1)) {
      const record = await store.read<ScheduleRecord>(key);
      if (record) records.push(record);
    }
    return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async delete(id: string): Promise<boolean> {
    const key = keyOf(id, "schedules.delete");
    const store = await this.#store();
    return this.#locks.run(key, async () => {
      if (!(await store.has(key))) return false;
      await store.remove(key);
      return true;
    });
  }

  async recordTick(id: string, tick: number, runId: string): Promise<void> {
    const key = keyOf(id, "schedules.recordTick");
    const store = await this.#store();
    await this.#locks.run(key, async () => {
      const existing = await store.read<ScheduleRecord>(key);
      // Gone (deleted meanwhile) or already past this tick: nothing to record.
      if (!existing || (existing.lastTick !== undefined && existing.lastTick >= tick)) return;
      await store.write(key, { ...existing, lastTick: tick, lastRunId: runId });
    });
  }
}

function keyOf(id: unknown, where: string): string {
  return scheduleKey(Buffer.from(checkText(id, "the schedule id", `Local world: ${where}`)).toString("base64url"));
}
