/**
 * Delivering to hooks from server code: resumeHook / rejectHook by token, and the same for a
 * hook found through listHooks. A payload is recorded at the end of the hook's run log while the
 * hook is active (the world refuses it otherwise), so a payload racing the hook's end is either
 * recorded before it or refused with HookNotFoundError. Webhook requests go through
 * webhook-delivery.ts instead, which adds their checks. A hook made by defineHook({ id }) gets
 * only payloads that pass that definition's schema (hook-definitions.ts).
 *
 *   await hooks.resumeHook("upload:42", { objectKey: "uploads/42.csv" });   // → { runId }
 */
import { HookNotFoundError, InvalidArgumentError } from "../shared/errors.js";
import { serializeAsync } from "../shared/serialization/index.js";
import type { NewEvent } from "../world/events.js";
import type { HookRecord, World } from "../world/world.js";
import { definedPayload } from "./hook-definitions.js";
import type { RunLog } from "./run-log.js";
import { hashToken, type TokenIssuer } from "./tokens.js";

export interface ResumeOptions {
  /** Already checked against its definition's schema (defineHook().resume did): skip the lookup. */
  checked?: boolean;
}

export class HookDelivery {
  readonly #world: World;
  readonly #log: RunLog;
  readonly #tokens: TokenIssuer;

  constructor(world: World, log: RunLog, tokens: TokenIssuer) {
    this.#world = world;
    this.#log = log;
    this.#tokens = tokens;
  }

  /** Whether `record` still accepts payloads: not ended, not expired, its secret still configured. */
  isActive(record: HookRecord): boolean {
    return (
      record.status === "active" &&
      this.#tokens.knows(record.keyId) &&
      (record.expiresAt === undefined || record.expiresAt > Date.now())
    );
  }

  /** The active hook holding `token`, or HookNotFoundError. */
  async activeHook(token: string): Promise<HookRecord> {
    if (typeof token !== "string" || token.length === 0)
      throw new InvalidArgumentError("The hook token must be a non-empty string.");
    const record = await this.#world.getHook(hashToken(token));
    if (!record)
      throw new HookNotFoundError("No hook has this token. Check the token, or whether the hook was ever created.");
    if (!this.isActive(record)) {
      throw new HookNotFoundError(
        `The hook with this token has ended (run ${record.runId}): it was disposed or timed out, or its run finished.`,
      );
    }
    return record;
  }

  async resumeHook(token: string, payload: unknown, options: ResumeOptions = {}): Promise<{ runId: string }> {
    const record = await this.activeHook(token);
    if (record.kind === "webhook") {
      throw new InvalidArgumentError(
        "This token belongs to a webhook: deliver requests to it with resumeWebhook(token, request).",
      );
    }
    return this.resume(record, payload, options);
  }

  async rejectHook(token: string, error: unknown): Promise<{ runId: string }> {
    return this.reject(await this.activeHook(token), error);
  }

  /**
   * Delivers `payload` to the (plain) hook `record`, checked first against the schema of the
   * defineHook({ id }) that created it, when this process has loaded it (HookPayloadError, nothing recorded).
   */
  async resume(record: HookRecord, payload: unknown, options: ResumeOptions = {}): Promise<{ runId: string }> {
    const value = options.checked ? payload : await definedPayload(this.#world, record, payload);
    const recorded = await serializeAsync(value, "payload");
    await this.#append(record, () => ({
      type: "hook_received",
      corr: record.hookId,
      at: Date.now(),
      data: { payload: recorded },
    }));
    return { runId: record.runId };
  }

  /** Makes the `await` on hook `record` throw `error`. */
  async reject(record: HookRecord, error: unknown): Promise<{ runId: string }> {
    const reason = error instanceof Error ? error : new Error(String(error));
    const recorded = await serializeAsync(reason, "error");
    await this.#append(record, () => ({
      type: "hook_rejected",
      corr: record.hookId,
      at: Date.now(),
      data: { error: recorded },
    }));
    return { runId: record.runId };
  }

  async #append(record: HookRecord, make: () => NewEvent): Promise<void> {
    if (!this.isActive(record))
      throw new HookNotFoundError(`The hook has ended (run ${record.runId}): it no longer accepts payloads.`);
    await this.#log.append(record.runId, make);
  }
}
