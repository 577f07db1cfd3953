/**
 * Receiving a request for a webhook: the one path every delivery takes, whether it came to the
 * public route, through resumeWebhook, or to a webhook found with listHooks. In order: the wait
 * must be active (a repeat of a recorded delivery excepted), the method allowed, the body
 * complete and within bounds, the signature right; then the request is recorded with its token
 * redacted everywhere, once per dedupe key (the world's index decides), and answered. Nothing is
 * recorded in the run's log before every check passed; refusals are kept beside it.
 *
 *   const response = await delivery.receive(record, request, { token });   // 202, that response, 410 …
 */
import { createHash, randomUUID } from "node:crypto";
import { DuplicateDeliveryError, HookNotFoundError } from "../shared/errors.js";
import { redactHeaders, redactToken } from "../shared/redaction.js";
import { deserialize, serialize } from "../shared/serialization/index.js";
import type { WebhookRequestData } from "../shared/webhook-data.js";
import type { WebhookConfig } from "../world/events.js";
import type { HookRecord, World } from "../world/world.js";
import type { HookDelivery } from "./hook-delivery.js";
import { readBoundedBody } from "./read-body.js";
import type { Refusal, RefusalLog } from "./refusal-log.js";
import type { RunLog } from "./run-log.js";
import type { ResponseWatch, RunWaiter } from "./run-waiter.js";
import type { TokenIssuer } from "./tokens.js";
import { WebhookRequest } from "./webhook-request.js";
import { verifySignature } from "./webhook-verify.js";

export interface WebhookTimeouts {
  /** A client that sends nothing for this long while uploading its body gets 408. */
  bodyIdleTimeoutMs: number;
  /** A body not complete this long after reading began gets 408 (a drip-fed body). */
  bodyTimeoutMs: number;
  /** Default wait for a step's answer to a "manual" webhook before 504. */
  responseTimeoutMs: number;
}

export interface ReceiveCall {
  /** The token the request was sent to; rebuilt from the secret when absent (a hook found with listHooks). */
  token?: string;
  /** The user's own code delivers (resumeWebhook, listHooks): an ended wait throws HookNotFoundError. */
  forwarded?: boolean;
  /** The caller's address as the route derived it, kept with a refusal. */
  clientAddress?: string;
}

export interface WebhookDeliveryParts {
  world: World;
  log: RunLog;
  hooks: HookDelivery;
  waiter: RunWaiter;
  refusals: RefusalLog;
  tokens: TokenIssuer;
  report(error: unknown, where: string): void;
}

const text = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

/** Dedupe keys longer than this are kept as their hash (index entries stay small). */
const MAX_KEY_LENGTH = 200;
/** What a refusal keeps of the request's headers, at most. */
const MAX_REFUSAL_HEADER_BYTES = 8_192;

export class WebhookDelivery {
  readonly #parts: WebhookDeliveryParts;
  readonly #timeouts: WebhookTimeouts;

  constructor(parts: WebhookDeliveryParts, timeouts: WebhookTimeouts) {
    this.#parts = parts;
    this.#timeouts = timeouts;
  }

  /** Keeps a refusal of the route's own (429) with the others. */
  noteRefusal(refusal: Refusal): void {
    this.#parts.refusals.note(refusal);
  }

  async receive(record: HookRecord, request: Request, call: ReceiveCall = {}): Promise<Response> {
    const { world, hooks, tokens } = this.#parts;
    const config = record.webhook!;
    const token = call.token ?? tokens.webhookToken(record.runId, record.hookId, record.keyId) ?? "";
    const refuse = (status: number, reason: string, headers: Record<string, string> = {}) => {
      this.#parts.refusals.note(refusalOf(record, request, token, status, reason, call.clientAddress));
      return text(status, reason, headers);
    };
    const ended = () => {
      if (call.forwarded) {
        this.#parts.refusals.note(refusalOf(record, request, token, 410, ENDED, call.clientAddress));
        throw new HookNotFoundError(`The webhook with this token has ended (run ${record.runId}).`);
      }
      return refuse(410, ENDED);
    };

    const active = hooks.isActive(record);
    const rawKey = dedupeKeyOf(config, request);
    // After the end, only a possible repeat of a recorded delivery is read further.
    if (!active && !(tokens.knows(record.keyId) && rawKey && config.methods.includes(request.method))) return ended();
    if (!config.methods.includes(request.method)) {
      return refuse(405, `This webhook accepts ${config.methods.join(", ")}.`, { allow: config.methods.join(", ") });
    }
    const body = await readBoundedBody(request, {
      maxBytes: config.maxBodyBytes,
      idleTimeoutMs: this.#timeouts.bodyIdleTimeoutMs,
      totalTimeoutMs: this.#timeouts.bodyTimeoutMs,
    });
    if (!body.ok) return refuse(body.status, body.reason);
    if (config.verify) {
      const verdict = verifySignature(config.verify, request, body.body);
      if (!verdict.ok) {
        if (verdict.misconfigured) this.#parts.report(new Error(verdict.reason), `webhook of run ${record.runId}`);
        return refuse(401, "The request's signature could not be verified.");
      }
    }
    const dedupeKey = rawKey === undefined ? undefined : storedKey(redactToken(rawKey, token));
    if (!active) {
      // A repeat of a delivery recorded before the end still gets its answer.
      const first = dedupeKey ? await world.getDelivery(record.runId, record.hookId, dedupeKey) : null;
      return first ? this.#answer(record, config, first.requestId) : ended();
    }
    // While the wait is active, the append itself finds a repeat (DuplicateDeliveryError below).

    const data: WebhookRequestData = {
      method: request.method,
      url: redactToken(request.url, token),
      headers: redactHeaders(request.headers.entries(), token),
      body: body.body,
      requestId: randomUUID(),
      manual: config.respondWith === "manual",
      webhook: {
        runId: record.runId,
        hookId: record.hookId,
        ...(record.keyId === undefined ? {} : { keyId: record.keyId }),
      },
    };
    const payload = serialize(WebhookRequest.toRecord(data), "request");
    // Watched before the append, so an answer recorded at once (on another instance) is not missed.
    const watch = data.manual ? this.#watch(record, config, data.requestId, true) : undefined;
    try {
      await this.#parts.log.append(record.runId, () => ({
        type: "hook_received",
        corr: record.hookId,
        at: Date.now(),
        data: { payload, requestId: data.requestId, ...(dedupeKey ? { dedupeKey } : {}) },
      }));
    } catch (error) {
      watch?.cancel();
      // A repeat that raced the first: it gets the first one's answer.
      if (DuplicateDeliveryError.is(error)) return this.#answer(record, config, error.requestId);
      if (HookNotFoundError.is(error)) return ended();
      throw error;
    }
    return this.#answer(record, config, data.requestId, watch);
  }

  /** The answer to delivery `requestId`: 202, the static response, or the step's (504 when none comes). */
  async #answer(
    record: HookRecord,
    config: WebhookConfig,
    requestId: string,
    watch?: ResponseWatch,
  ): Promise<Response> {
    if (config.respondWith === undefined) return new Response(null, { status: 202 });
    if (config.respondWith !== "manual") return deserialize(config.respondWith) as Response;
    const answered = await (watch ?? this.#watch(record, config, requestId, false)).response;
    if (!answered) return text(504, "The workflow did not answer in time; the request is recorded in the run.");
    return deserialize(answered.data.response) as Response;
  }

  /** Each caller waits on its own: repeats of one delivery all get its answer, or their own 504. */
  #watch(record: HookRecord, config: WebhookConfig, requestId: string, fresh: boolean): ResponseWatch {
    const timeoutMs = config.responseTimeoutMs ?? this.#timeouts.responseTimeoutMs;
    return this.#parts.waiter.watchResponse(record.runId, requestId, timeoutMs, { fresh });
  }
}

const ENDED = "This webhook has ended: it no longer accepts requests.";

/** The header value naming this delivery (the first of `dedupe` present), if any. */
function dedupeKeyOf(config: WebhookConfig, request: Request): string | undefined {
  return config.dedupe === false
    ? undefined
    : (config.dedupe.map((h) => request.headers.get(h)).find((v) => v) ?? undefined);
}

function storedKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** A refusal as kept: the request's redacted headers, bounded in size, and never its body. */
export function refusalOf(
  record: HookRecord,
  request: Request,
  token: string,
  status: number,
  reason: string,
  address: string | undefined,
): Refusal {
  const headers: [string, string][] = [];
  let bytes = 0;
  for (const [name, value] of redactHeaders(request.headers.entries(), token)) {
    const kept = value.length > 1_024 ? `${value.slice(0, 1_024)}…` : value;
    bytes += name.length + kept.length;
    if (bytes > MAX_REFUSAL_HEADER_BYTES) break;
    headers.push([name, kept]);
  }
  return {
    runId: record.runId,
    hookId: record.hookId,
    status,
    reason,
    method: request.method.slice(0, 32),
    headers,
    ...(address === undefined ? {} : { address }),
  };
}
