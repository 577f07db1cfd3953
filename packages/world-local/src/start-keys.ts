/**
 * The start-key index: `starts:<sha256(key)>.json` names the run that holds an idempotency key,
 * so `start({ idempotencyKey })` finds the key's run with one read however many runs exist.
 * The entry is written before the run's first event: a process killed between the two leaves a
 * key without a run, which the next start with that key takes over (never a second run). Within
 * a process the key's lock serializes claims; across processes the entry is created exclusively,
 * and an expired or abandoned holder is replaced only by the process that first creates its
 * `.replaced` marker, so two processes never both take a key over.
 */
import { createHash } from "node:crypto";
import { DuplicateStartError, type EventOf } from "@hookline/core/world";
import { describe } from "./checks.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { eventKey, startKeyKey, startKeyReplacedKey } from "./keys.js";
import type { Store } from "./store.js";

interface StartKeyEntry {
  key: string;
  runId: string;
  workflowId: string;
  createdAt: number;
  expiresAt?: number;
}

/** How long a key whose run does not exist yet may be a start in flight in another process. */
const IN_FLIGHT_MS = 2_000;
const POLL_MS = 25;

export class StartKeyIndex {
  readonly #store: Store;
  readonly #locks: KeyedMutex;

  constructor(store: Store, locks: KeyedMutex) {
    this.#store = store;
    this.#locks = locks;
  }

  /**
   * Claims the key of `created` (a run_created with an idempotencyKey) and runs `commit`, which
   * appends the event; throws DuplicateStartError when an unexpired run holds the key.
   */
  claim<T>(created: EventOf<"run_created">, commit: () => Promise<T>): Promise<T> {
    const { idempotencyKey: key = "", idempotencyKeyExpiresAt: expiresAt, workflowId } = created.data;
    const keyHash = createHash("sha256").update(key).digest("hex");
    const entryKey = startKeyKey(keyHash);
    const entry: StartKeyEntry = {
      key,
      runId: created.runId,
      workflowId,
      createdAt: created.at,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
    return this.#locks.run(`start:${entryKey}`, async () => {
      for (;;) {
        const current = await this.#store.read<StartKeyEntry>(entryKey);
        if (current === null) {
          if (await this.#store.create(entryKey, JSON.stringify(entry))) break;
          continue; // another process claimed it just now: look at its entry
        }
        const expired = current.expiresAt !== undefined && current.expiresAt <= created.at;
        if (!expired && (await this.#runAppears(current.runId))) throw duplicate(current);
        const marker = startKeyReplacedKey(keyHash, current.runId);
        if (await this.#store.create(marker, JSON.stringify(entry.runId))) {
          await this.#store.write(entryKey, entry);
          break;
        }
        // Another process is taking over the same holder: its entry comes next, unless it died
        // first; then its claim is abandoned too, and is taken over as any other.
        if (await this.#entryMoves(entryKey, current.runId)) continue;
        const replacer = await this.#store.read<string>(marker);
        if (replacer !== null) await this.#store.write(entryKey, { ...current, runId: replacer });
      }
      try {
        return await commit();
      } catch (error) {
        const current = await this.#store.read<StartKeyEntry>(entryKey).catch(() => null);
        if (current?.runId === entry.runId) await this.#store.remove(entryKey).catch(() => {});
        throw error;
      }
    });
  }

  /** Whether the entry stops naming `runId` within IN_FLIGHT_MS. */
  async #entryMoves(entryKey: string, runId: string): Promise<boolean> {
    const deadline = Date.now() + IN_FLIGHT_MS;
    for (;;) {
      if ((await this.#store.read<StartKeyEntry>(entryKey))?.runId !== runId) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Whether the run exists, or comes into being within IN_FLIGHT_MS (its start is in flight in another process). */
  async #runAppears(runId: string): Promise<boolean> {
    const deadline = Date.now() + IN_FLIGHT_MS;
    for (;;) {
      if (await this.#store.has(eventKey(runId, 1))) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

function duplicate(holder: StartKeyEntry): DuplicateStartError {
  return new DuplicateStartError(
    `Idempotency key ${describe(holder.key)} is held by run ${holder.runId} (workflow "${holder.workflowId}")${holder.expiresAt === undefined ? "" : ` until ${new Date(holder.expiresAt).toISOString()}`}; no run was created.`,
    holder,
  );
}
