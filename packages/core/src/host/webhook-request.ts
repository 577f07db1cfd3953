/**
 * Webhook requests and responses on the host. In a step, a recorded request is a real
 * `Request` whose `respondWith(response)` answers the HTTP caller waiting on a "manual"
 * webhook; a recorded static response becomes a real `Response`.
 */
import { ContextError, InvalidArgumentError } from "../shared/errors.js";
import { revealToken } from "../shared/redaction.js";
import { registerSerializableClass } from "../shared/serialization/index.js";
import {
  DESERIALIZE,
  RECORDED,
  type ResponseData,
  SERIALIZE,
  WEBHOOK_REQUEST_CLASS,
  WEBHOOK_RESPONSE_CLASS,
  type WebhookRequestData,
} from "../shared/webhook-data.js";
import { registries } from "./registry.js";

const BODYLESS = new Set(["GET", "HEAD"]);

/** In a step of the run's deployment: the token of the webhook that received `data`, rebuilt from the secret. */
function tokenOf(data: WebhookRequestData): string | null {
  const origin = data.webhook;
  if (!origin) return null;
  return registries().currentStep.getStore()?.webhookToken(origin.runId, origin.hookId, origin.keyId) ?? null;
}

export class WebhookRequest extends Request {
  readonly [RECORDED]: WebhookRequestData;

  /** Read in a step, the request shows its real URL and headers; elsewhere (logs, the inspector) they stay redacted. */
  constructor(data: WebhookRequestData) {
    const token = tokenOf(data);
    const reveal = (text: string) => (token ? revealToken(text, token) : text);
    super(reveal(data.url), {
      method: data.method,
      headers: data.headers.map(([name, value]) => [name, reveal(value)]),
      ...(data.body && !BODYLESS.has(data.method) ? { body: data.body as BodyInit } : {}),
    });
    this[RECORDED] = data;
  }

  /**
   * The request as the delivery path records it: serialized only (its class's SERIALIZE reads
   * nothing but the data), so no Request, body stream or signal is built for it.
   */
  static toRecord(data: WebhookRequestData): WebhookRequest {
    const request = Object.create(WebhookRequest.prototype) as WebhookRequest;
    Object.defineProperty(request, RECORDED, { value: data });
    return request;
  }

  /** Identifies this delivery in the run's log. */
  get requestId(): string {
    return this[RECORDED].requestId;
  }

  /** Sends `response` to the caller of a `respondWith: "manual"` webhook. Call it inside a step. */
  async respondWith(response: Response): Promise<void> {
    const step = registries().currentStep.getStore();
    if (!step) {
      throw new ContextError(
        'request.respondWith() must be called inside a "use step" function.',
        "HOOKLINE_NOT_IN_STEP",
      );
    }
    if (!this[RECORDED].manual) {
      throw new InvalidArgumentError(
        'request.respondWith() only works for webhooks created with respondWith: "manual"; this webhook answers on its own.',
      );
    }
    if (!(response instanceof Response)) {
      throw new InvalidArgumentError("request.respondWith() expects a Response.");
    }
    await step.respond(this[RECORDED].requestId, response);
  }

  static [SERIALIZE](request: WebhookRequest): WebhookRequestData {
    return request[RECORDED];
  }
  static [DESERIALIZE](data: WebhookRequestData): WebhookRequest {
    return new WebhookRequest(data);
  }
}

/** The host's reading of a recorded response: a real Response. */
// biome-ignore lint/complexity/noStaticOnlyClass: the serialization registry takes classes with static hooks.
class RecordedResponse {
  static [SERIALIZE](): never {
    throw new InvalidArgumentError("RecordedResponse is only read, never written.");
  }
  static [DESERIALIZE](data: ResponseData): Response {
    return new Response(data.body && data.status !== 204 && data.status !== 304 ? (data.body as BodyInit) : null, {
      status: data.status,
      statusText: data.statusText,
      headers: data.headers,
    });
  }
}

registerSerializableClass(WEBHOOK_REQUEST_CLASS, WebhookRequest);
registerSerializableClass(WEBHOOK_RESPONSE_CLASS, RecordedResponse);
