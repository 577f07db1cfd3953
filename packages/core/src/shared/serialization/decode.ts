/**
 * JSON-safe trees → values of the current realm. Every object is built fresh from this
 * realm's constructors (never handed back from the tree), and numbered in the same pre-order
 * as encode.ts so `Ref` nodes find their target.
 */
import { SerializationError } from "../errors.js";
import { base64ToBytes } from "./base64.js";
import { classRegistry, DESERIALIZE } from "./classes.js";
import { setOwn, TAG } from "./encode.js";
import { createError } from "./error-classes.js";

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
}

interface State {
  objects: unknown[];
  options: DeserializeOptions;
}

type Node = Record<string, unknown>;
const TYPED_ARRAYS = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "DataView",
]);

export function decodeValue(data: unknown, options: DeserializeOptions = {}): unknown {
  if (data === null || typeof data !== "object") return data;
  return decode(data, { objects: [], options });
}

function decode(node: unknown, s: State): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    s.objects.push(out);
    for (const item of node) out.push(decode(item, s));
    return out;
  }
  const n = node as Node;
  const tag = n[TAG];
  if (tag === undefined) return decodeObject(n, {}, s);
  switch (tag) {
    case "u":
      return undefined;
    case "n":
      return n.v === "-0" ? -0 : Number(n.v);
    case "bigint":
      return BigInt(n.v as string);
    case "Ref": {
      const index = n.i as number;
      if (!(index < s.objects.length)) throw malformed(`a reference to object #${index}, which does not exist`);
      return s.objects[index];
    }
    case "Object":
      return decodeObject(n.v as Node, {}, s);
    case "NullObject":
      return decodeObject(n.v as Node, Object.create(null), s);
    case "Date":
      return track(s, new Date(n.v === null ? Number.NaN : (n.v as number)));
    case "RegExp": {
      const re = new RegExp(n.source as string, n.flags as string);
      re.lastIndex = n.lastIndex as number;
      return track(s, re);
    }
    case "Map": {
      const map = track(s, new Map());
      for (const [key, value] of n.v as [unknown, unknown][]) {
        const k = decode(key, s);
        map.set(k, decode(value, s));
      }
      return map;
    }
    case "Set": {
      const set = track(s, new Set());
      for (const value of n.v as unknown[]) set.add(decode(value, s));
      return set;
    }
    case "ArrayBuffer":
      return track(s, base64ToBytes(n.v as string).buffer);
    case "URL":
      return track(s, (s.options.createURL ?? global("URL", (href: string) => new URL(href)))(n.v as string));
    case "Headers":
      return track(s, (s.options.createHeaders ?? global("Headers", (e: [string, string][]) => new Headers(e)))(n.v as [string, string][]));
    case "Request":
    case "Response":
      return track(s, decodeMessage(n, tag === "Request", s));
    case "Error":
      return decodeError(n, s);
    case "Class":
      return decodeClass(n, s);
  }
  if (typeof tag === "string" && TYPED_ARRAYS.has(tag)) {
    const bytes = base64ToBytes(n.v as string);
    const Ctor = (globalThis as Record<string, unknown>)[tag] as new (buffer: ArrayBuffer) => unknown;
    return track(s, new Ctor(bytes.buffer as ArrayBuffer));
  }
  throw malformed(`an unknown type tag ${JSON.stringify(tag)}`);
}

function decodeObject(source: Node, target: Record<string, unknown>, s: State): unknown {
  s.objects.push(target);
  for (const key of Object.keys(source)) setOwn(target, key, decode(source[key], s));
  return target;
}

function decodeError(n: Node, s: State): unknown {
  const index = reserve(s);
  const cause = "cause" in n ? decode(n.cause, s) : undefined;
  const props = n.props ? (decode(n.props, s) as Record<string, unknown>) : {};
  const errors = n.errors ? (decode(n.errors, s) as unknown[]) : undefined;
  const error = createError(n.name as string, n.message as string, props, n.hookline === true, errors);
  if ("stack" in n) Object.defineProperty(error, "stack", { value: n.stack, writable: true, configurable: true });
  if ("cause" in n) Object.defineProperty(error, "cause", { value: cause, writable: true, configurable: true });
  for (const [key, value] of Object.entries(props)) {
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: true });
  }
  s.objects[index] = error;
  return error;
}

function decodeClass(n: Node, s: State): unknown {
  const cls = classRegistry().byName.get(n.name as string);
  if (!cls) {
    throw new SerializationError(
      `Cannot deserialize a ${n.name} instance: no class is registered under that name here. Call registerSerializableClass("${n.name}", …) where the value is read.`,
      String(n.name),
    );
  }
  const index = reserve(s);
  const instance = cls[DESERIALIZE](decode(n.v, s) as never);
  s.objects[index] = instance;
  return instance;
}

function decodeMessage(n: Node, isRequest: boolean, s: State): unknown {
  const init: MessageInit = {
    url: (n.url as string) ?? "",
    method: (n.method as string) ?? "GET",
    status: (n.status as number) ?? 200,
    statusText: (n.statusText as string) ?? "",
    headers: n.headers as [string, string][],
    body: n.body === null ? null : base64ToBytes(n.body as string),
  };
  if (isRequest) {
    const create =
      s.options.createRequest ??
      global("Request", (i: MessageInit) => new Request(i.url, { method: i.method, headers: i.headers, body: i.body as BodyInit | null }));
    return create(init);
  }
  const create =
    s.options.createResponse ??
    global("Response", (i: MessageInit) => new Response(i.body as BodyInit | null, { status: i.status, statusText: i.statusText, headers: i.headers }));
  return create(init);
}

function track<T>(s: State, value: T): T {
  s.objects.push(value);
  return value;
}

/** Holds a place in the numbering for a value built after its members. */
function reserve(s: State): number {
  s.objects.push(undefined);
  return s.objects.length - 1;
}

function global<F>(name: string, factory: F): F {
  if (typeof (globalThis as Record<string, unknown>)[name] !== "function") {
    throw new SerializationError(`Cannot deserialize a ${name}: this environment has no ${name}.`, name);
  }
  return factory;
}

function malformed(what: string): SerializationError {
  return new SerializationError(`Cannot deserialize: the data holds ${what}. It was not written by Hookline's serializer.`, "value");
}
