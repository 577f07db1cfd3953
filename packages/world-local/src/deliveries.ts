/**
 * The local world's delivery index, derived from the log like the hook files (written after the
 * event, repaired from the log on catch-up), so a repeat is found with one key read however long
 * the run's log is:
 *
 *   runs:<runId>:deliveries:<hookId>:<sha256(dedupeKey)>.json   the first delivery with that key
 *   runs:<runId>:responses:<sha256(requestId)>.json              the seq of a request's first answer
 *
 * Both are created exclusively, so re-applying an event (repair) or a second answer keeps the first.
 * Each is a second name of the event's own file (a hard link with the fs driver: one system call
 * per delivery, no second write), so it holds the event; entries written by older versions hold
 * `{ runId, hookId, dedupeKey, requestId, seq }` / `{ seq }` and are read as well.
 */
import { createHash } from "node:crypto";
import type { RecordedDelivery, WorkflowEvent } from "@hookline/core/world";
import { eventKey } from "./keys.js";
import type { Store } from "./store.js";

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

export const deliveryKey = (runId: string, hookId: string, dedupeKey: string) =>
  `runs:${runId}:deliveries:${hookId}:${digest(dedupeKey)}.json`;
export const responseKey = (runId: string, requestId: string) => `runs:${runId}:responses:${digest(requestId)}.json`;

export class DeliveryIndex {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async find(runId: string, hookId: string, dedupeKey: string): Promise<RecordedDelivery | null> {
    const found = await this.#store.read<RecordedDelivery | WorkflowEvent>(deliveryKey(runId, hookId, dedupeKey));
    if (!found || !("type" in found)) return found;
    const requestId = found.type === "hook_received" ? found.data.requestId : undefined;
    return { runId: found.runId, hookId: found.corr ?? hookId, dedupeKey, requestId: requestId ?? "", seq: found.seq };
  }

  async responseSeq(runId: string, requestId: string): Promise<number | null> {
    const found = await this.#store.read<{ seq: number }>(responseKey(runId, requestId));
    return found?.seq ?? null;
  }

  /** Records what `event` (stored at its seq) adds to the index; idempotent. */
  async apply(event: WorkflowEvent): Promise<void> {
    const source = eventKey(event.runId, event.seq);
    if (event.type === "hook_received" && event.corr && event.data.dedupeKey && event.data.requestId) {
      await this.#store.createFrom(source, deliveryKey(event.runId, event.corr, event.data.dedupeKey));
    } else if (event.type === "webhook_responded") {
      await this.#store.createFrom(source, responseKey(event.runId, event.data.requestId));
    }
  }
}
