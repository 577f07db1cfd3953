/**
 * The local world's delivery index, derived from the log like the hook files (written after the
 * event, repaired from the log on catch-up), so a repeat is found with one key read however long
 * the run's log is:
 *
 *   runs:<runId>:deliveries:<hookId>:<sha256(dedupeKey)>.json   the first delivery with that key
 *   runs:<runId>:responses:<sha256(requestId)>.json              the seq of a request's first answer
 *
 * Both are created exclusively, so re-applying an event (repair) or a second answer keeps the first.
 */
import { createHash } from "node:crypto";
import type { RecordedDelivery, WorkflowEvent } from "@hookline/core/world";
import type { Store } from "./store.js";

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

export const deliveryKey = (runId: string, hookId: string, dedupeKey: string) => `runs:${runId}:deliveries:${hookId}:${digest(dedupeKey)}.json`;
export const responseKey = (runId: string, requestId: string) => `runs:${runId}:responses:${digest(requestId)}.json`;

export class DeliveryIndex {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  find(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    return this.#store.read<RecordedDelivery>(deliveryKey(runId, hookId, dedupeKey));
  }

  async responseSeq(runId: string, requestId: string): Promise<number | null> {
    const found = await this.#store.read<{ seq: number }>(responseKey(runId, requestId));
    return found?.seq ?? null;
  }

  /** Records what `event` adds to the index; idempotent. */
  async apply(event: WorkflowEvent): Promise<void> {
    if (event.type === "hook_received" && event.corr && event.data.dedupeKey && event.data.requestId) {
      const delivery: RecordedDelivery = {
        runId: event.runId,
        hookId: event.corr,
        dedupeKey: event.data.dedupeKey,
        requestId: event.data.requestId,
        seq: event.seq,
      };
      await this.#store.create(deliveryKey(event.runId, event.corr, event.data.dedupeKey), JSON.stringify(delivery));
    } else if (event.type === "webhook_responded") {
      await this.#store.create(responseKey(event.runId, event.data.requestId), JSON.stringify({ seq: event.seq }));
    }
  }
}
