/**
 * The recorded shape of a webhook request and of a static/manual response. Both sides of the
 * vm boundary register their own class under the same name (see serialization's class
 * registry): in the sandbox a request is a small recorded object, in a step a real `Request`.
 */
export const WEBHOOK_REQUEST_CLASS = "hookline.WebhookRequest";
export const WEBHOOK_RESPONSE_CLASS = "hookline.Response";

/** The webhook a request was delivered to: enough to rebuild its token from the deployment secret. */
export interface WebhookOrigin {
  runId: string;
  hookId: string;
  /** The secret the token was derived with (see TokenIssuer). */
  keyId?: string;
}

export interface WebhookRequestData {
  method: string;
  /** As received, with the token replaced by REDACTED_TOKEN (see redaction.ts). */
  url: string;
  /** As received, the token redacted from every value. */
  headers: [string, string][];
  body: Uint8Array | null;
  /** Identifies this delivery, so a step's `respondWith` reaches the waiting caller. */
  requestId: string;
  /** The caller waits for a step to call `respondWith`. */
  manual: boolean;
  /** Absent in requests recorded before it existed: their URL then stays redacted. */
  webhook?: WebhookOrigin;
}

export interface ResponseData {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

export { DESERIALIZE, SERIALIZE } from "./serialization/classes.js";

/**
 * Where request/response objects keep their recorded data: a registry symbol, not a #private
 * field, so an object made by one loaded copy of Hookline (a server may load several) can be
 * recorded by another.
 */
export const RECORDED = Symbol.for("hookline.recorded");

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

/** Body bytes from what a user may pass to `new Response(body)` in workflow code. */
export function bodyBytes(body: unknown, where: string): Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return encoder.encode(body);
  if (Object.prototype.toString.call(body) === "[object ArrayBuffer]")
    return new Uint8Array(body as ArrayBuffer).slice();
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
  throw new TypeError(`${where}: the body must be a string, an ArrayBuffer or a typed array.`);
}

export function bytesToText(bytes: Uint8Array | null): string {
  return bytes ? decoder.decode(bytes) : "";
}
