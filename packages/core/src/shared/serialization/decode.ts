/**
 * JSON-safe trees → values of the current realm. Every object is built fresh from this realm's
 * constructors (nothing from the input tree is handed back), and numbered in the same
 * pre-order as encode.ts so `Ref` nodes find their target.
 */
import { SerializationError } from "../errors.js";
import { reviveStepFunction } from "../step-ref.js";
import { base64ToBytes } from "./base64.js";
import { classRegistry, serdeOf } from "./classes.js";
import { decodeError } from "./decode-error.js";
import { type DeserializeOptions, decodeHeaders, decodeMessage, decodeStream, decodeURL } from "./decode-web.js";
import { FORMAT_TAG, SERIALIZATION_FORMAT_VERSION, TAG, TYPED_ARRAY_TAGS } from "./format.js";
import { describeThrown } from "./path.js";
import { setOwn } from "./set-own.js";

export interface DecodeState {
  /** Objects in the order they were numbered; a registered class's slot holds PENDING until it is built. */
  objects: unknown[];
  options: DeserializeOptions;
}

type Node = Record<string, unknown>;
const PENDING = Symbol("pending");

export function decodeValue(data: unknown, options: DeserializeOptions | undefined): unknown {
  if (typeof data !== "object" || data === null) return data;
  const s: DecodeState = { objects: [], options: options ?? {} };
  try {
    return decode(unwrapFormat(data), s);
  } catch (thrown) {
    if (SerializationError.is(thrown)) throw thrown;
    throw malformed(`something that could not be read (${describeThrown(thrown)})`);
  }
}

/** A root written by a later format version names its version; see format.ts. */
function unwrapFormat(data: object): unknown {
  if ((data as Node)[TAG] !== FORMAT_TAG) return data;
  const { version, v } = data as Node;
  if (version === SERIALIZATION_FORMAT_VERSION) return v;
  throw new SerializationError(
    `Cannot deserialize: the data was written in serialization format ${String(version)}, and this version of Hookline reads format ${SERIALIZATION_FORMAT_VERSION}. Upgrade Hookline where the data is read.`,
    "value",
  );
}

export function decode(node: unknown, s: DecodeState): unknown {
  if (typeof node !== "object" || node === null) return node;
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    s.objects.push(out);
    for (let i = 0; i < node.length; i++) out.push(decode(node[i], s));
    return out;
  }
  const tag = (node as Node)[TAG];
  if (tag === undefined) return decodeObject(node as Node, {}, s);
  return decodeTagged(node as Node, tag, s);
}

function decodeTagged(n: Node, tag: unknown, s: DecodeState): unknown {
  switch (tag) {
    case "u":
      return undefined;
    case "n":
      return n.v === "-0" ? -0 : Number(n.v);
    case "bigint":
      return BigInt(n.v as string);
    case "Ref":
      return resolveRef(n.i, s);
    case "Object":
      return decodeObject(n.v as Node, {}, s);
    case "NullObject":
      return decodeObject(n.v as Node, Object.create(null) as Node, s);
    case "Date":
      return track(s, new Date(n.v === null ? Number.NaN : (n.v as number)));
    case "RegExp": {
      const re = new RegExp(n.source as string, n.flags as string);
      re.lastIndex = n.lastIndex as number;
      return track(s, re);
    }
    case "Map": {
      const map = track(s, new Map<unknown, unknown>());
      for (const [key, value] of n.v as [unknown, unknown][]) {
        const k = decode(key, s);
        map.set(k, decode(value, s));
      }
      return map;
    }
    case "Set": {
      const set = track(s, new Set<unknown>());
      for (const value of n.v as unknown[]) set.add(decode(value, s));
      return set;
    }
    case "ArrayBuffer":
      return track(s, base64ToBytes(n.v as string).buffer);
    case "URL":
      return track(s, decodeURL(n, s.options));
    case "Headers":
      return track(s, decodeHeaders(n, s.options));
    case "Request":
    case "Response":
      return track(s, decodeMessage(n, tag === "Request", s.options));
    case "Error":
      return decodeError(n, s, decode);
    case "Class":
      return decodeClass(n, s);
    case "Stream":
      return track(s, decodeStream(n, s.options));
    case "Step":
      return reviveStepFunction(
        String(n.id),
        n.c === undefined ? undefined : (decode(n.c, s) as Record<string, unknown>),
      );
  }
  if (typeof tag === "string" && TYPED_ARRAY_TAGS.has(tag)) return track(s, decodeView(tag, n.v as string));
  throw malformed(`an unknown type tag ${JSON.stringify(tag)}`, " (or by a newer version of Hookline)");
}

function decodeObject(source: Node, target: Node, s: DecodeState): unknown {
  s.objects.push(target);
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    setOwn(target, key, decode(source[key], s));
  }
  return target;
}

function resolveRef(index: unknown, s: DecodeState): unknown {
  if (typeof index !== "number" || !(index >= 0 && index < s.objects.length)) {
    throw malformed(`a reference to object #${String(index)}, which does not exist`);
  }
  const target = s.objects[index];
  if (target === PENDING) throw malformed("a reference into a registered class instance from its own data");
  return target;
}

function decodeView(tag: string, base64: string): unknown {
  const Ctor = (globalThis as Record<string, unknown>)[tag] as (new (buffer: ArrayBuffer) => unknown) | undefined;
  if (typeof Ctor !== "function") {
    throw new SerializationError(`Cannot deserialize a ${tag}: this environment has no ${tag}.`, "value");
  }
  return new Ctor(base64ToBytes(base64).buffer as ArrayBuffer);
}

/** A name the compiler gave (`class//<file>//<Name>`) is registered when its file loads: say which file to import. */
function unregisteredClass(name: string): string {
  const declared = /^class\/\/(.+)\/\/([^/]+)$/.exec(name);
  if (declared) {
    return `Cannot deserialize a "${declared[2]}" instance: its class is registered when the app's ${declared[1]} loads, and nothing here imported it. Import that file where the value is read, before deserializing.`;
  }
  return `Cannot deserialize a "${name}" instance: no class is registered under that name here. Call registerSerializableClass("${name}", TheClass) where the value is read, before deserializing.`;
}

function decodeClass(n: Node, s: DecodeState): unknown {
  const name = String(n.name);
  const cls = classRegistry().byName.get(name);
  if (!cls) throw new SerializationError(unregisteredClass(name), "value");
  const index = s.objects.push(PENDING) - 1;
  const data = decode(n.v, s);
  let instance: unknown;
  try {
    instance = serdeOf(cls)!.deserialize(data);
  } catch (thrown) {
    throw new SerializationError(
      `Cannot deserialize a "${name}" instance: the deserializer of the registered class threw: ${describeThrown(thrown)}`,
      "value",
    );
  }
  s.objects[index] = instance;
  return instance;
}

function track<T>(s: DecodeState, value: T): T {
  s.objects.push(value);
  return value;
}

function malformed(what: string, origin = ""): SerializationError {
  return new SerializationError(
    `Cannot deserialize: the data holds ${what}. It was not written by Hookline's serializer${origin}.`,
    "value",
  );
}
