/**
 * URL, Headers, Request and Response are not ECMAScript built-ins: the replay sandbox has only
 * the host's URL and Headers, and no Request or Response. So they are built by factories the
 * caller may supply, defaulting to this realm's globals when it has them.
 */
import { SerializationError } from "../errors.js";
import { type StreamRef, WorkflowReadable, WorkflowWritable } from "../stream-ref.js";
import { base64ToBytes } from "./base64.js";

/** What a recorded Request or Response holds; a factory uses the fields of its kind. */
export interface MessageInit {
  url: string;
  method: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

export interface DeserializeOptions {
  createRequest?: (init: MessageInit) => unknown;
  createResponse?: (init: MessageInit) => unknown;
  createHeaders?: (entries: [string, string][]) => unknown;
  createURL?: (href: string) => unknown;
  /** A run's stream (getWritable()'s handle, a streamed step result); default: a handle only steps can use. */
  createStream?: (ref: StreamRef) => unknown;
}

type Node = Record<string, unknown>;

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([204, 205, 304]);

function realmGlobal<T>(name: string, option: string): T {
  const value = (globalThis as Record<string, unknown>)[name];
  if (typeof value !== "function") {
    throw new SerializationError(
      `Cannot deserialize a ${name}: this environment has no ${name}. Pass ${option} in deserialize()'s options.`,
      "value",
    );
  }
  return value as T;
}

export function decodeURL(n: Node, options: DeserializeOptions): unknown {
  const href = n.v as string;
  if (options.createURL) return options.createURL(href);
  return new (realmGlobal<typeof URL>("URL", "createURL"))(href);
}

export function decodeHeaders(n: Node, options: DeserializeOptions): unknown {
  const entries = (n.v as [string, string][]).map(([name, value]): [string, string] => [name, value]);
  if (options.createHeaders) return options.createHeaders(entries);
  return new (realmGlobal<typeof Headers>("Headers", "createHeaders"))(entries);
}

export function decodeMessage(n: Node, isRequest: boolean, options: DeserializeOptions): unknown {
  const init: MessageInit = {
    url: typeof n.url === "string" ? n.url : "",
    method: typeof n.method === "string" ? n.method : "GET",
    status: typeof n.status === "number" ? n.status : 200,
    statusText: typeof n.statusText === "string" ? n.statusText : "",
    headers: (n.headers as [string, string][]).map(([name, value]): [string, string] => [name, value]),
    body: typeof n.body === "string" ? base64ToBytes(n.body) : null,
  };
  if (isRequest) {
    if (options.createRequest) return options.createRequest(init);
    const RequestClass = realmGlobal<typeof Request>("Request", "createRequest");
    const body = init.body === null || init.method === "GET" || init.method === "HEAD" ? null : init.body;
    return new RequestClass(init.url, { method: init.method, headers: init.headers, body: body as BodyInit | null });
  }
  if (options.createResponse) return options.createResponse(init);
  const ResponseClass = realmGlobal<typeof Response>("Response", "createResponse");
  // Response.error() is the only Response with status 0; the constructor refuses it.
  if (init.status === 0) return ResponseClass.error();
  const body = NULL_BODY.has(init.status) ? null : init.body;
  return new ResponseClass(body as BodyInit | null, {
    status: init.status,
    statusText: init.statusText,
    headers: init.headers,
  });
}

export function decodeStream(n: Node, options: DeserializeOptions): unknown {
  const kind = n.kind === "readable" ? "readable" : "writable";
  const namespace = String(n.ns);
  if (options.createStream) return options.createStream({ kind, namespace });
  return kind === "readable" ? new WorkflowReadable(namespace) : new WorkflowWritable(namespace);
}
