/**
 * The tokens of a run's hooks as its workflow asks for them: a chosen token as given, a webhook's
 * derived from the deployment secret it was created with. That secret is read from the run's log
 * before replay reaches the hook, so replay re-derives the same URL even after a rotation.
 */
import type { WorkflowEvent } from "../world/events.js";
import { hashToken, type TokenIssuer } from "./tokens.js";
import { ValueTokens } from "./value-tokens.js";

export const WEBHOOK_PATH = "/.well-known/workflow/v1/webhook/";

export interface HookToken {
  token: string;
  tokenHash: string;
  /** The secret a derived token comes from; absent for a chosen one. */
  keyId?: string | undefined;
}

export class HookTokens {
  readonly #issuer: TokenIssuer;
  readonly #runId: string;
  /** Secrets recorded hooks were created with, by hook. */
  readonly #keys = new Map<string, string | undefined>();
  /** The webhook tokens the run's values may carry: redacted before they are recorded. */
  readonly values: ValueTokens;

  constructor(issuer: TokenIssuer, runId: string) {
    this.#issuer = issuer;
    this.#runId = runId;
    this.values = new ValueTokens(issuer);
  }

  /** Notes the secrets of hooks created in `events` (call before applying them). */
  note(events: WorkflowEvent[]): void {
    for (const event of events) {
      if (event.type === "hook_created" && event.corr) this.#keys.set(event.corr, event.data.keyId);
    }
  }

  /** Hook `corr`'s token: `chosen` if given, else derived for this run. */
  tokenFor(corr: string, chosen: string | undefined): HookToken {
    if (chosen !== undefined) return { token: chosen, tokenHash: hashToken(chosen) };
    const keyId = this.#keys.has(corr) ? this.#keys.get(corr) : this.#issuer.currentKeyId;
    const token = this.#issuer.webhookToken(this.#runId, corr, keyId) ?? "";
    this.values.know(token, this.#runId, corr, keyId ?? this.#issuer.currentKeyId);
    return { token, tokenHash: hashToken(token), keyId };
  }
}
