/**
 * The public webhook route, `/.well-known/workflow/v1/webhook/:token`, in front of the delivery
 * path (webhook-delivery.ts): a malformed token is 404 without a lookup, each caller's address
 * has its own rate limit, an unknown token or a createHook token is 404. Every other answer of
 * DESIGN §2 is the delivery's. resumeWebhook takes the same way, minus the rate limit, with an
 * unknown or ended token thrown as HookNotFoundError for the user's route to map. A webhook found
 * active recently is not looked up again while it still looks active here: the world's append
 * refuses a payload for a hook that has ended since, so a stale record costs nothing but that.
 */
import { HookNotFoundError } from "../shared/errors.js";
import type { HookRecord } from "../world/world.js";
import { type RateLimit, RateLimiter } from "./rate-limit.js";
import type { Refusal } from "./refusal-log.js";
import { hashToken } from "./tokens.js";
import { type ReceiveCall, refusalOf } from "./webhook-delivery.js";

/** What the endpoint needs of the runtime. */
export interface WebhookReceiver {
  findHook(tokenHash: string): Promise<HookRecord | null>;
  /** Whether `record` accepts payloads as far as this process knows (not ended, not expired). */
  isActive(record: HookRecord): boolean;
  receive(record: HookRecord, request: Request, call: ReceiveCall): Promise<Response>;
  noteRefusal(refusal: Refusal): void;
}

export interface WebhookCall {
  /** The caller's own address, for its rate limit (see @hookline/next's client-address.ts). */
  clientAddress?: string;
  /** resumeWebhook(): the user's route forwards the request: no rate limit, HookNotFoundError instead of 404/410. */
  forwarded?: boolean;
}

/** Webhook tokens are base64url (see tokens.ts); anything else is refused without a lookup. */
const WELL_FORMED = /^[A-Za-z0-9_-]{16,128}$/;
/** Recently found webhooks: a rate-limited request to one is recorded, and one still active is delivered to, without a lookup. */
const RECENT = 1_000;

const text = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

export class WebhookEndpoint {
  readonly #receiver: WebhookReceiver;
  readonly #limiter: RateLimiter | null;
  readonly #recent = new Map<string, HookRecord>();

  constructor(receiver: WebhookReceiver, rateLimit: RateLimit | false) {
    this.#receiver = receiver;
    this.#limiter = rateLimit === false ? null : new RateLimiter(rateLimit);
  }

  async handle(token: string, request: Request, call: WebhookCall = {}): Promise<Response> {
    const unknown = () => {
      if (call.forwarded) throw new HookNotFoundError("No webhook has this token.");
      return text(404, "No webhook has this URL.");
    };
    if (typeof token !== "string" || !WELL_FORMED.test(token)) return unknown();
    const tokenHash = hashToken(token);
    if (this.#limiter && !call.forwarded) {
      const wait = this.#limiter.take(call.clientAddress ?? "unknown");
      if (wait > 0) {
        const reason = "Too many requests from this address.";
        const known = this.#recent.get(tokenHash);
        if (known) this.#receiver.noteRefusal(refusalOf(known, request, token, 429, reason, call.clientAddress));
        return text(429, reason, { "retry-after": String(wait) });
      }
    }
    const recent = this.#recent.get(tokenHash);
    const record = recent && this.#receiver.isActive(recent) ? recent : await this.#receiver.findHook(tokenHash);
    // createHook tokens are resumed from server code only: the public route does not know them.
    if (record?.kind !== "webhook" || !record.webhook) return unknown();
    this.#remember(tokenHash, record);
    // The world may say the wait has ended (410, or thrown for resumeWebhook): the next request looks it up again.
    const forget = () => {
      if (record === recent) this.#recent.delete(tokenHash);
    };
    try {
      const response = await this.#receiver.receive(record, request, { token, ...call });
      if (response.status === 410) forget();
      return response;
    } catch (error) {
      forget();
      throw error;
    }
  }

  #remember(tokenHash: string, record: HookRecord): void {
    this.#recent.delete(tokenHash);
    this.#recent.set(tokenHash, record);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.keys().next().value!);
  }
}
