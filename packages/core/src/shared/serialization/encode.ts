/**
 * Values → JSON-safe trees (the format is in format.ts and index.ts). Every object gets a
 * number in the order it is first met (pre-order); meeting it again writes
 * `{ "$t": "Ref", "i": n }`, and decode.ts numbers objects in the same order. Plain data takes
 * the shortest path: no path bookkeeping, no closures, one Map for the objects seen.
 */

import { stepRefOf } from "../step-ref.js";
import { streamRefOf } from "../stream-ref.js";
import { bytesToBase64 } from "./base64.js";
import {
  brandOf,
  isArrayBuffer,
  isDate,
  isDirectInstance,
  isError,
  isMap,
  isObjectPrototype,
  isRegExp,
  isSet,
  viewTypeOf,
} from "./brands.js";
import { classRegistry, type SerializableClass, serdeOf } from "./classes.js";
import { encodeError } from "./encode-error.js";
import { encodeMessage, type PendingBody } from "./encode-message.js";
import { TAG } from "./format.js";
import {
  at,
  classDataLabel,
  describeThrown,
  Label,
  mapKeyLabel,
  mapValueLabel,
  Rejection,
  setValueLabel,
  symbolKeyLabel,
} from "./path.js";
import { classInstanceReason, unsupportedReason } from "./reasons.js";
import { setOwn } from "./set-own.js";

export interface EncodeState {
  /** Objects met so far → their number. */
  seen: Map<object, number>;
  /** serializeAsync: bodies to read once the walk is done; null for serialize. */
  pending: PendingBody[] | null;
  /** Numbers of registered-class instances whose data is being encoded (a cycle back to one cannot be restored). */
  open: Set<number> | null;
  /** Objects being encoded, outermost to innermost. */
  depth: number;
  /** Where a live ReadableStream goes (a step's result): the run's stream namespace it is copied into; null: refused. */
  readable: ((stream: ReadableStream<unknown>) => string) | null;
}

const getPrototypeOf = Object.getPrototypeOf;

/**
 * Deeper data is refused with a clear message rather than a stack overflow that depends on
 * where serialize is called; it also leaves decoding, which may run deeper in the stack (in
 * the sandbox), room to read back whatever was written.
 */
export const MAX_DEPTH = 1000;
const TOO_DEEP = `it is nested more than ${MAX_DEPTH} levels deep, which is too deep to serialize. Flatten the data, or pass it as a string.`;

export function encode(value: unknown, s: EncodeState): unknown {
  if (typeof value === "function") return encodeFunction(value, s);
  if (typeof value !== "object") return encodePrimitive(value);
  if (value === null) return null;
  const index = s.seen.get(value);
  if (index !== undefined) return ref(index, s);
  s.seen.set(value, s.seen.size);
  if (++s.depth > MAX_DEPTH) throw new Rejection(TOO_DEEP);
  let out: unknown;
  if (Array.isArray(value)) out = encodeArray(value, s);
  else {
    const proto = getPrototypeOf(value) as object | null;
    out =
      proto === Object.prototype
        ? encodeObject(value as Record<string, unknown>, s, false)
        : encodeOther(value, proto, s);
  }
  s.depth--;
  return out;
}

export function encodePrimitive(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // Finite and not -0: JSON carries it. (`value * 0 === 0` is false for NaN and ±Infinity.)
      if (value * 0 === 0 && (value !== 0 || 1 / value > 0)) return value;
      return { $t: "n", v: Object.is(value, -0) ? "-0" : String(value) };
    case "undefined":
      return { $t: "u" };
    case "bigint":
      return { $t: "bigint", v: value.toString() };
    case "symbol":
      throw new Rejection(`a symbol (${String(value)}) is not serializable. Use a string instead.`);
    case "function":
      throw new Rejection(
        `a function${value.name ? ` (${value.name})` : ""} is not serializable. Pass data; behaviour belongs in the workflow or in a step.`,
      );
  }
  throw new Rejection(`a ${typeof value} is not serializable.`);
}

/** A step function is recorded as its id and the closure it carries; any other function is refused. */
function encodeFunction(fn: unknown, s: EncodeState): unknown {
  const step = stepRefOf(fn);
  if (!step) return encodePrimitive(fn);
  if (!step.closure) return { $t: "Step", id: step.id };
  let closure: unknown;
  try {
    closure = step.closure();
  } catch (thrown) {
    throw new Rejection(
      `reading the workflow variables of the step function "${step.id}" threw: ${describeThrown(thrown)}`,
    );
  }
  try {
    return { $t: "Step", id: step.id, c: encode(closure, s) };
  } catch (thrown) {
    throw at(thrown, new Label(`.<closure of ${step.id.split("//").pop()}>`));
  }
}

function ref(index: number, s: EncodeState): unknown {
  if (s.open?.has(index)) {
    throw new Rejection(
      "it is the registered class instance whose data is being serialized; a cycle through a registered class cannot be restored. Leave the instance out of what its serializer returns.",
    );
  }
  return { $t: "Ref", i: index };
}

function encodeArray(array: unknown[], s: EncodeState): unknown[] {
  const proto = getPrototypeOf(array) as object | null;
  if (proto !== Array.prototype && (proto === null || !isDirectInstance(proto))) {
    throw new Rejection(classInstanceReason(proto, "Array"));
  }
  const out: unknown[] = [];
  const length = array.length;
  let i = 0;
  try {
    // Holes come back as undefined.
    for (; i < length; i++) out.push(encode(array[i], s));
  } catch (thrown) {
    throw at(thrown, i);
  }
  return out;
}

function encodeObject(object: Record<string, unknown>, s: EncodeState, nullPrototype: boolean): unknown {
  const symbols = Object.getOwnPropertySymbols(object);
  for (const symbol of symbols) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      throw at(new Rejection("a symbol key is not serializable. Use a string key."), symbolKeyLabel(symbol));
    }
  }
  // Copying first is the cheapest way to a new object with the same keys (a `__proto__` key
  // stays a key); then only members JSON cannot carry as they are get replaced.
  let out: Record<string, unknown>;
  try {
    out = { ...object };
  } catch {
    out = copyOneByOne(object);
  }
  const keys = Object.keys(out);
  let key = "";
  try {
    for (let i = 0; i < keys.length; i++) {
      key = keys[i]!;
      const member = out[key];
      if (typeof member === "string" || typeof member === "boolean" || member === null) continue;
      const encoded = encode(member, s);
      if (encoded !== member) out[key] = encoded;
    }
  } catch (thrown) {
    throw at(thrown, key);
  }
  if (nullPrototype) return { $t: "NullObject", v: out };
  // A user object that has our tag key is wrapped so it is not read as a tagged node.
  return Object.hasOwn(out, TAG) ? { $t: "Object", v: out } : out;
}

/** Reads members one at a time, so a getter that throws is reported at its own path. */
function copyOneByOne(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let key = "";
  try {
    for (key of Object.keys(object)) setOwn(out, key, object[key]);
  } catch (thrown) {
    throw at(thrown, key);
  }
  return out;
}

function encodeOther(value: object, proto: object | null, s: EncodeState): unknown {
  if (proto === null) return encodeObject(value as Record<string, unknown>, s, true);
  const cls = (proto as { constructor?: unknown }).constructor;
  const registry = classRegistry();
  const name = registry.byClass.get(cls);
  if (name !== undefined) return encodeClass(value, cls as SerializableClass, name, s);
  const stream = streamRefOf(value);
  if (stream) return { $t: "Stream", kind: stream.kind, ns: stream.namespace };

  const brand = brandOf(value);
  if (brand === "[object ReadableStream]") {
    if (!s.readable) {
      throw new Rejection(
        "a ReadableStream can cross only as a step's argument or result (it is copied into the run's stream). Here, read it first, or write its chunks with getWritable().",
      );
    }
    return { $t: "Stream", kind: "readable", ns: s.readable(value as ReadableStream<unknown>) };
  }
  switch (brand) {
    case "[object Object]":
      if (isObjectPrototype(proto)) return encodeObject(value as Record<string, unknown>, s, false);
      break;
    case "[object Date]":
      if (isDate(value)) {
        direct(proto, "Date");
        const time = Date.prototype.getTime.call(value);
        return { $t: "Date", v: Number.isNaN(time) ? null : time };
      }
      break;
    case "[object RegExp]":
      if (isRegExp(value)) {
        direct(proto, "RegExp");
        const re = value as RegExp;
        const lastIndex = Number.isFinite(re.lastIndex) ? re.lastIndex : 0;
        return { $t: "RegExp", source: re.source, flags: re.flags, lastIndex };
      }
      break;
    case "[object Map]":
      if (isMap(value)) return encodeMap(value as Map<unknown, unknown>, proto, s);
      break;
    case "[object Set]":
      if (isSet(value)) return encodeSet(value as Set<unknown>, proto, s);
      break;
    case "[object ArrayBuffer]":
      if (isArrayBuffer(value)) {
        direct(proto, "ArrayBuffer");
        return { $t: "ArrayBuffer", v: bytesToBase64(new Uint8Array(value as ArrayBuffer)) };
      }
      break;
    // URL, Headers, Request and Response are host classes in both realms (the sandbox gets the
    // host's); their subclasses (Next.js's NextRequest) are recorded as the class itself.
    case "[object URL]":
      return { $t: "URL", v: String((value as URL).href) };
    case "[object Headers]":
      return { $t: "Headers", v: [...(value as Headers)] };
    case "[object Request]":
    case "[object Response]":
      return encodeMessage(value as Request | Response, brand === "[object Request]", s);
  }
  const view = viewTypeOf(value);
  if (view !== undefined) {
    const { buffer, byteOffset, byteLength } = value as ArrayBufferView;
    // Only the view's own bytes: a Node Buffer may be a slice of a large shared pool.
    return { $t: view, v: bytesToBase64(new Uint8Array(buffer, byteOffset, byteLength)) };
  }
  if (isError(value, brand)) return encodeError(value as Error, s, encode);
  throw new Rejection(unsupportedReason(proto, brand));
}

/** Map, Set, Date, RegExp and ArrayBuffer subclasses carry more than the built-in: refuse them like any class. */
function direct(proto: object, builtin: string): void {
  if (!isDirectInstance(proto)) throw new Rejection(classInstanceReason(proto, builtin));
}

function encodeMap(map: Map<unknown, unknown>, proto: object, s: EncodeState): unknown {
  direct(proto, "Map");
  const entries: unknown[] = [];
  let i = 0;
  for (const [key, entry] of Map.prototype.entries.call(map) as MapIterator<[unknown, unknown]>) {
    let encodedKey: unknown;
    try {
      if (typeof key === "symbol") {
        throw new Rejection(`a symbol (${String(key)}) used as a Map key is not serializable. Use a string key.`);
      }
      encodedKey = encode(key, s);
    } catch (thrown) {
      throw at(thrown, mapKeyLabel(i));
    }
    try {
      entries.push([encodedKey, encode(entry, s)]);
    } catch (thrown) {
      throw at(thrown, mapValueLabel(key, i));
    }
    i++;
  }
  return { $t: "Map", v: entries };
}

function encodeSet(set: Set<unknown>, proto: object, s: EncodeState): unknown {
  direct(proto, "Set");
  const values: unknown[] = [];
  let i = 0;
  try {
    for (const entry of Set.prototype.values.call(set) as SetIterator<unknown>) {
      values.push(encode(entry, s));
      i++;
    }
  } catch (thrown) {
    throw at(thrown, setValueLabel(i));
  }
  return { $t: "Set", v: values };
}

function encodeClass(instance: object, cls: SerializableClass, name: string, s: EncodeState): unknown {
  // The instance's own class serializes it (it may read private fields); decoding takes the
  // class last registered under the name in the reading realm.
  let data: unknown;
  try {
    data = serdeOf(cls)!.serialize(instance);
  } catch (thrown) {
    throw new Rejection(`the serializer of the registered class "${name}" threw: ${describeThrown(thrown)}`);
  }
  const index = s.seen.get(instance)!;
  s.open ??= new Set();
  s.open.add(index);
  let v: unknown;
  try {
    v = encode(data, s);
  } catch (thrown) {
    throw at(thrown, classDataLabel(name));
  } finally {
    s.open.delete(index);
  }
  return { $t: "Class", name, v };
}
