/**
 * Webhooks inside a workflow: a hook with a public URL whose payloads are recorded HTTP
 * requests. The request body is already in the log, so reading it here is deterministic.
 */

import { parseDuration } from "../shared/duration.js";
import { ContextError, InvalidArgumentError } from "../shared/errors.js";
import type { RequestWithResponse } from "../shared/public-types.js";
import { revealToken } from "../shared/redaction.js";
import { registerSerializableClass, serialize } from "../shared/serialization/index.js";
import { checkVerifyOptions, type VerifyOptions } from "../shared/verify-options.js";
import {
  bodyBytes,
  bytesToText,
  DESERIALIZE,
  RECORDED,
  type ResponseData,
  SERIALIZE,
  WEBHOOK_REQUEST_CLASS,
  WEBHOOK_RESPONSE_CLASS,
  type WebhookRequestData,
} from "../shared/webhook-data.js";
import type { WebhookConfig } from "../world/events.js";
import { Hook, type HookOptions, openHook } from "./hook.js";

type HeadersInput = Record<string, string> | [string, string][] | Headers;

function headerEntries(input: HeadersInput | undefined): [string, string][] {
  if (!input) return [];
  return [...new Headers(input as HeadersInit).entries()];
}

/**
 * A recorded webhook request as workflow code sees it. Delivered by its webhook, it shows the
 * real URL and headers (the token rebuilt, as received); what is recorded stays redacted.
 */
export class WorkflowRequest {
  readonly method: string;
  readonly url: string;
  readonly [RECORDED]: WebhookRequestData;
  readonly #token: string | undefined;
  #headers: Headers | undefined;

  constructor(data: WebhookRequestData, token?: string) {
    this[RECORDED] = data;
    this.method = data.method;
    this.url = token ? revealToken(data.url, token) : data.url;
    this.#token = token;
  }
  /** Built when first read: a workflow that only counts its requests never pays for them. */
  get headers(): Headers {
    const token = this.#token;
    const data = this[RECORDED];
    this.#headers ??= new Headers(
      token ? data.headers.map(([name, value]) => [name, revealToken(value, token)]) : data.headers,
    );
    return this.#headers;
  }
  async text(): Promise<string> {
    return bytesToText(this[RECORDED].body);
  }
  async json(): Promise<unknown> {
    return JSON.parse(bytesToText(this[RECORDED].body));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return (this[RECORDED].body ?? new Uint8Array()).slice().buffer;
  }
  respondWith(_response: unknown): never {
    throw new ContextError(
      'request.respondWith() sends an HTTP response, a side effect: pass the request to a "use step" function and call it there.',
      "HOOKLINE_SANDBOX",
    );
  }
  static [SERIALIZE](request: WorkflowRequest): WebhookRequestData {
    return request[RECORDED];
  }
  static [DESERIALIZE](data: WebhookRequestData): WorkflowRequest {
    return new WorkflowRequest(data);
  }
}

/** `Response` for workflow code: enough to declare a webhook's static answer. */
export class WorkflowResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly [RECORDED]: Uint8Array | null;

  constructor(body?: unknown, init: { status?: number; statusText?: string; headers?: HeadersInput } = {}) {
    this.status = init.status ?? 200;
    if (!Number.isInteger(this.status) || this.status < 200 || this.status > 599) {
      throw new InvalidArgumentError(`new Response(): status ${init.status} is not between 200 and 599.`);
    }
    this.statusText = init.statusText ?? "";
    this.headers = new Headers(headerEntries(init.headers));
    this[RECORDED] = bodyBytes(body, "new Response()");
    if (typeof body === "string" && !this.headers.has("content-type"))
      this.headers.set("content-type", "text/plain;charset=UTF-8");
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    return bytesToText(this[RECORDED]);
  }
  async json(): Promise<unknown> {
    return JSON.parse(bytesToText(this[RECORDED]));
  }
  static json(
    data: unknown,
    init: { status?: number; statusText?: string; headers?: HeadersInput } = {},
  ): WorkflowResponse {
    const headers = new Headers(headerEntries(init.headers));
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new WorkflowResponse(JSON.stringify(data), { ...init, headers: [...headers.entries()] });
  }
  static [SERIALIZE](response: WorkflowResponse): ResponseData {
    return {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers.entries()],
      body: response[RECORDED],
    };
  }
  static [DESERIALIZE](data: ResponseData): WorkflowResponse {
    return new WorkflowResponse(data.body, data);
  }
}

registerSerializableClass(WEBHOOK_REQUEST_CLASS, WorkflowRequest);
registerSerializableClass(WEBHOOK_RESPONSE_CLASS, WorkflowResponse);

export interface WebhookOptions extends Omit<HookOptions, "token"> {
  /** unset → 202; a Response → that response every time; "manual" → a step answers each request. */
  respondWith?: "manual" | Response | WorkflowResponse;
  /** HTTP methods accepted; others get 405. Default ["POST"]. */
  methods?: string[];
  /** Larger bodies get 413 and are not recorded. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Headers identifying a delivery (first present wins); `false` turns dedupe off. Default ["webhook-id", "idempotency-key"]. */
  dedupe?: string[] | false;
  /** Signature check run before anything is recorded; see docs/webhooks.md. */
  verify?: VerifyOptions;
  /** How long a caller of a "manual" webhook waits for a step's response before 504. Default "30s". */
  responseTimeout?: string | number;
}

/**
 * A webhook yields `Request`s, as the Workflow SDK types them (in the workflow, a recorded
 * request: method, url, headers and its body readers; pass it to a step for everything else).
 */
export class Webhook<T = Request> extends Hook<T> {
  readonly url: string;
  /** @internal */
  constructor(corr: string, token: string, url: string, channel: ConstructorParameters<typeof Hook>[2]) {
    super(corr, token, channel);
    this.url = url;
  }
}

const METHOD = /^[A-Z]+$/;

/** The webhook's settings as recorded in hook_created (plain JSON; the Response serialized). */
export function webhookConfig(options: WebhookOptions): WebhookConfig {
  const where = "createWebhook()";
  const { respondWith } = options;
  if (respondWith !== undefined && respondWith !== "manual" && !(respondWith instanceof WorkflowResponse)) {
    throw new InvalidArgumentError(`${where}: respondWith must be "manual" or a Response, got ${String(respondWith)}.`);
  }
  const methods = (options.methods ?? ["POST"]).map((m) => String(m).toUpperCase());
  if (methods.length === 0 || !methods.every((m) => METHOD.test(m))) {
    throw new InvalidArgumentError(
      `${where}: methods must be a non-empty list of HTTP methods, got ${JSON.stringify(options.methods)}.`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new InvalidArgumentError(
      `${where}: maxBodyBytes must be a whole number of bytes, got ${options.maxBodyBytes}.`,
    );
  }
  const dedupe = options.dedupe === undefined ? ["webhook-id", "idempotency-key"] : options.dedupe;
  if (dedupe !== false && !(Array.isArray(dedupe) && dedupe.every((h) => typeof h === "string" && h.length > 0))) {
    throw new InvalidArgumentError(`${where}: dedupe must be a list of header names or false.`);
  }
  return {
    ...(respondWith === undefined
      ? {}
      : { respondWith: respondWith === "manual" ? "manual" : serialize(respondWith, "respondWith") }),
    methods,
    maxBodyBytes,
    dedupe: dedupe === false ? false : dedupe.map((h) => h.toLowerCase()),
    ...(options.verify === undefined ? {} : { verify: { ...checkVerifyOptions(options.verify, where) } }),
    ...(options.responseTimeout === undefined
      ? {}
      : { responseTimeoutMs: parseDuration(options.responseTimeout, `${where}: responseTimeout`) }),
  };
}

export function createWebhook(options: WebhookOptions & { respondWith: "manual" }): Webhook<RequestWithResponse>;
export function createWebhook(options?: WebhookOptions): Webhook<Request>;
export function createWebhook(options: WebhookOptions = {}): Webhook<Request> {
  if (options !== null && typeof options === "object" && "token" in options) {
    throw new InvalidArgumentError(
      "createWebhook({ token }): a webhook's token is never chosen: it is derived from the deployment secret (256 unpredictable bits), so nobody can guess its URL. Remove the token option; for a token of your choosing use createHook({ token }) and resume it from your own route with resumeHook().",
    );
  }
  const config = webhookConfig(options);
  let token = "";
  // The request as received: the recorded copy keeps the token redacted.
  const reveal = (value: unknown) =>
    value instanceof WorkflowRequest ? new WorkflowRequest(value[RECORDED], token) : value;
  const opened = openHook("webhook", options, config, reveal);
  token = opened.token;
  return new Webhook<Request>(opened.corr, opened.token, opened.url ?? "", opened.channel);
}
