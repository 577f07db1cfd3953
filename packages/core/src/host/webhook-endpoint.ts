/**
 * The public webhook route, `/.well-known/workflow/v1/webhook/:token`. Every answer is
 * deliberate (DESIGN.md §2): nothing is recorded unless the request is for an active webhook,
 * uses an allowed method, has a complete body within bounds and passes its signature check;
 * a repeated delivery gets the first delivery's answer and adds no event, even once the wait
 * has ended (a provider retrying an accepted delivery must not be told it failed).
 */
import { randomUUID } from "node:crypto";
import { HookNotFoundError } from "../shared/errors.js";
import { deserialize, serialize } from "../shared/serialization/index.js";
import type { WebhookRequestData } from "../shared/webhook-data.js";
import { endsHook, type Serialized, TERMINAL_RUN_EVENTS, type WebhookConfig, type WorkflowEvent } from "../world/events.js";
import type { HookRecord } from "../world/world.js";
import { DEFAULT_RATE_LIMIT, type RateLimit, RateLimiter } from "./rate-limit.js";
import { readBoundedBody } from "./read-body.js";
import type { Runtime } from "./runtime.js";
import { hashToken } from "./tokens.js";
import { WebhookRequest } from "./webhook-request.js";
import { verifySignature } from "./webhook-verify.js";

export interface WebhookEndpointOptions {
  /** Per-address limit; `false` turns it off. Default: bursts of 120, 20 per second. */
  rateLimit?: RateLimit | false;
  /** A client that sends nothing for this long while uploading its body gets 408. Default 10 s. */
  bodyIdleTimeoutMs?: number;
  /** Default wait for a step's answer to a "manual" webhook before 504. Default 30 s. */
  responseTimeoutMs?: number;
}

export interface WebhookCall {
  /** The caller's address, for the rate limit (e.g. from X-Forwarded-For set by the server). */
  clientAddress?: string;
  /**
   * resumeWebhook(): the user's own route forwards the request, so there is no rate limit
   * here, and an unknown or ended token throws HookNotFoundError for the route to map.
   */
  forwarded?: boolean;
}

/** The log keeps only token hashes: the recorded URL has the token replaced. */
export const REDACTED_TOKEN = "[token]";
function redactToken(url: string, token: string): string {
  return url.split(token).join(REDACTED_TOKEN);
}

const text = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

/** 410 on the public route; HookNotFoundError for resumeWebhook's caller to map. */
function ended(record: HookRecord, call: WebhookCall): Response {
  if (call.forwarded) throw new HookNotFoundError(`The webhook with this token has ended (run ${record.runId}).`);
  return text(410, "This webhook has ended: it no longer accepts requests.");
}

/** The header value naming this delivery (the first of `dedupe` present), if any. */
function dedupeKeyOf(config: WebhookConfig, request: Request): string | undefined {
  return config.dedupe === false ? undefined : (config.dedupe.map((h) => request.headers.get(h)).find((v) => v) ?? undefined);
}

export class WebhookEndpoint {
  readonly #runtime: Runtime;
  readonly #limiter: RateLimiter | null;
  readonly #bodyIdleTimeoutMs: number;
  readonly #responseTimeoutMs: number;
  /** Callers of manual webhooks waiting for a step's answer: request id → resolve. */
  readonly #waiting = new Map<string, { runId: string; resolve: (response: Serialized) => void }>();

  constructor(runtime: Runtime, options: WebhookEndpointOptions = {}) {
    this.#runtime = runtime;
    this.#limiter = options.rateLimit === false ? null : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
    this.#bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? 10_000;
    this.#responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
    runtime.onEvent((event) => this.#noticeResponse(event));
    runtime.world.onAppend((runId, seq) => this.#checkForResponses(runId, seq - 1));
  }

  async handle(token: string, request: Request, call: WebhookCall = {}): Promise<Response> {
    if (this.#limiter && !call.forwarded) {
      const wait = this.#limiter.take(call.clientAddress ?? "unknown");
      if (wait > 0) return text(429, "Too many requests from this address.", { "retry-after": String(wait) });
    }
    const record = typeof token === "string" && token.length > 0 ? await this.#runtime.world.getHook(hashToken(token)) : null;
    // createHook tokens are resumed from server code only: the public route does not know them.
    if (record?.kind !== "webhook" || !record.webhook) {
      if (call.forwarded) throw new HookNotFoundError("No webhook has this token.");
      return text(404, "No webhook has this URL.");
    }
    const config = record.webhook;
    const active = this.#runtime.hookIsActive(record);
    // After the end, only a possible repeat of a recorded delivery is read further.
    if (!active && !(this.#runtime.tokens.knows(record.keyId) && dedupeKeyOf(config, request) && config.methods.includes(request.method))) {
      return ended(record, call);
    }
    if (!config.methods.includes(request.method)) {
      return text(405, `This webhook accepts ${config.methods.join(", ")}.`, { allow: config.methods.join(", ") });
    }
    const body = await readBoundedBody(request, config.maxBodyBytes, this.#bodyIdleTimeoutMs);
    if (!body.ok) return text(body.status, body.reason);
    if (config.verify) {
      const verdict = verifySignature(config.verify, request, body.body);
      if (!verdict.ok) {
        if (verdict.misconfigured) this.#runtime.report(new Error(verdict.reason), `webhook of run ${record.runId}`);
        return text(401, "The request's signature could not be verified.");
      }
    }
    const dedupeKey = dedupeKeyOf(config, request);
    if (!active) return this.#repeatAfterEnd(record, config, dedupeKey!, call);
    const data: WebhookRequestData = {
      method: request.method,
      url: redactToken(request.url, token),
      headers: [...request.headers.entries()],
      body: body.body,
      requestId: randomUUID(),
      manual: config.respondWith === "manual",
    };
    const delivery = await this.#record(record, data, dedupeKey);
    if (delivery === "ended") return ended(record, call);
    return this.#answer(record, config, delivery);
  }

  /** After the end: a repeat of a delivery recorded before it gets that delivery's answer; anything else is refused. */
  async #repeatAfterEnd(record: HookRecord, config: WebhookConfig, dedupeKey: string, call: WebhookCall): Promise<Response> {
    const events = await this.#runtime.world.readEvents(record.runId, 0);
    const first = events.find((e) => e.type === "hook_received" && e.corr === record.hookId && e.data.dedupeKey === dedupeKey);
    const requestId = first?.type === "hook_received" ? first.data.requestId : undefined;
    if (!requestId) return ended(record, call);
    // A run that ended without answering a manual request never will (nothing is appended after the end).
    const unanswered =
      config.respondWith === "manual" &&
      events.some((e) => TERMINAL_RUN_EVENTS.has(e.type)) &&
      !events.some((e) => e.type === "webhook_responded" && e.data.requestId === requestId);
    if (unanswered) return text(504, "The workflow did not answer this delivery; the request is recorded in the run.");
    return this.#answer(record, config, requestId);
  }

  /** Appends hook_received unless the hook ended or this delivery was recorded already; returns the request id that answers it. */
  async #record(record: HookRecord, data: WebhookRequestData, dedupeKey: string | undefined): Promise<string | "ended"> {
    const payload = serialize(new WebhookRequest(data), "request");
    let duplicateOf: string | undefined;
    const scan = (events: WorkflowEvent[]) => {
      for (const event of events) {
        // A repeat of a delivery recorded before the end still gets that delivery's answer.
        if (endsHook(event, record.hookId)) {
          if (duplicateOf) break;
          throw new HookNotFoundError("ended");
        }
        if (dedupeKey && event.type === "hook_received" && event.corr === record.hookId && event.data.dedupeKey === dedupeKey) {
          duplicateOf = event.data.requestId;
        }
      }
      return duplicateOf ? ("skip" as const) : ("ok" as const);
    };
    try {
      const stored = await this.#runtime.appendToRun(
        record.runId,
        () => ({
          type: "hook_received",
          corr: record.hookId,
          at: Date.now(),
          data: { payload, requestId: data.requestId, ...(dedupeKey ? { dedupeKey } : {}) },
        }),
        scan,
        // A delivery without a dedupe key cannot repeat; one with a key is checked against the whole log.
        dedupeKey ? "whole-log" : "newer",
      );
      return stored ? data.requestId : duplicateOf!;
    } catch (error) {
      if (HookNotFoundError.is(error)) return "ended";
      throw error;
    }
  }

  async #answer(record: HookRecord, config: WebhookConfig, requestId: string): Promise<Response> {
    if (config.respondWith === undefined) return new Response(null, { status: 202 });
    if (config.respondWith !== "manual") return deserialize(config.respondWith) as Response;
    const recorded = await this.#awaitResponse(record.runId, requestId, config.responseTimeoutMs ?? this.#responseTimeoutMs);
    if (recorded === undefined) return text(504, "The workflow did not answer in time; the request is recorded in the run.");
    return deserialize(recorded) as Response;
  }

  /** The response a step recorded for `requestId`, or undefined after `timeoutMs`. */
  async #awaitResponse(runId: string, requestId: string, timeoutMs: number): Promise<Serialized | undefined> {
    const waiting = new Promise<Serialized | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(requestId, {
        runId,
        resolve: (response) => {
          clearTimeout(timer);
          this.#waiting.delete(requestId);
          resolve(response);
        },
      });
    });
    // It may have been answered already (a duplicate delivery, or a very fast step).
    this.#checkForResponses(runId, 0);
    return waiting;
  }

  #noticeResponse(event: WorkflowEvent): void {
    if (event.type !== "webhook_responded") return;
    this.#waiting.get(event.data.requestId)?.resolve(event.data.response);
  }

  /** Events after `afterSeq` (an append elsewhere, or the whole log) may hold an answer someone here waits for. */
  #checkForResponses(runId: string, afterSeq: number): void {
    if (![...this.#waiting.values()].some((w) => w.runId === runId)) return;
    this.#runtime.world
      .readEvents(runId, afterSeq)
      .then((events) => {
        for (const event of events) this.#noticeResponse(event);
      })
      .catch((error) => this.#runtime.report(error, `reading run ${runId} for webhook responses`));
  }
}
