/**
 * Values → JSON-safe trees. Plain JSON encodes as itself; anything else is a tagged node
 * `{ "$t": <type>, ... }`; an object met a second time is `{ "$t": "Ref", "i": n }`, n being
 * its position in a pre-order walk, which decode.ts repeats. Type checks are brand checks
 * (Object.prototype.toString, ArrayBuffer.isView), never `instanceof`: values may come from
 * another realm.
 */
import { SerializationError } from "../errors.js";
import { bytesToBase64 } from "./base64.js";
import { classRegistry, SERIALIZE, type SerializableClass } from "./classes.js";

export const TAG = "$t";
const brandOf = Object.prototype.toString;

interface State {
  seen: Map<object, number>;
  /** Path segments to the value being encoded, rendered only for an error message. */
  path: (string | number)[];
  root: string;
  /** Bodies read ahead by serializeAsync. */
  bodies: Map<object, Uint8Array | null> | undefined;
}

export function encodeValue(value: unknown, root: string, bodies?: Map<object, Uint8Array | null>): unknown {
  // The common cases cost no state at all.
  if (value === undefined) return { [TAG]: "u" };
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  return encode(value, { seen: new Map(), path: [], root, bodies });
}

function encode(value: unknown, s: State): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG]: "n", v: Object.is(value, -0) ? "-0" : String(value) };
    case "undefined":
      return { [TAG]: "u" };
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() };
    case "symbol":
      return reject(s, `a symbol (${String(value)}) is not serializable. Pass a string instead.`);
    case "function":
      return reject(
        s,
        `a function${value.name ? ` (${value.name})` : ""} is not serializable. Pass data; behaviour belongs in the workflow or in a step.`,
      );
  }
  if (value === null) return null;
  const object = value as object;
  const index = s.seen.get(object);
  if (index !== undefined) return { [TAG]: "Ref", i: index };
  s.seen.set(object, s.seen.size);

  if (Array.isArray(object)) {
    const out = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) out[i] = child(s, i, () => object[i]);
    return out;
  }
  const className = classRegistry().byClass.get((object as { constructor?: unknown }).constructor);
  if (className !== undefined) {
    const cls = classRegistry().byName.get(className) as SerializableClass;
    return { [TAG]: "Class", name: className, v: child(s, `<${className}>`, () => cls[SERIALIZE](object as never)) };
  }
  const tag = brandOf.call(object);
  switch (tag) {
    case "[object Object]":
      return encodeObject(object as Record<string, unknown>, s);
    case "[object Date]": {
      const time = (object as Date).getTime();
      return { [TAG]: "Date", v: Number.isNaN(time) ? null : time };
    }
    case "[object RegExp]": {
      const re = object as RegExp;
      return { [TAG]: "RegExp", source: re.source, flags: re.flags, lastIndex: re.lastIndex };
    }
    case "[object Map]": {
      const entries: unknown[] = [];
      let i = 0;
      for (const [key, entry] of object as Map<unknown, unknown>) {
        const label = typeof key === "string" || typeof key === "number" ? JSON.stringify(key) : `#${i}`;
        entries.push([child(s, `<key ${label}>`, () => key), child(s, `<value ${label}>`, () => entry)]);
        i++;
      }
      return { [TAG]: "Map", v: entries };
    }
    case "[object Set]": {
      const values: unknown[] = [];
      let i = 0;
      for (const entry of object as Set<unknown>) values.push(child(s, `<value #${i++}>`, () => entry));
      return { [TAG]: "Set", v: values };
    }
    case "[object ArrayBuffer]":
      return { [TAG]: "ArrayBuffer", v: bytesToBase64(new Uint8Array(object as ArrayBuffer)) };
    case "[object Error]":
      return encodeError(object as Error, s);
    case "[object URL]":
      return { [TAG]: "URL", v: (object as URL).href };
    case "[object Headers]":
      return { [TAG]: "Headers", v: [...(object as Headers).entries()] };
    case "[object Request]":
    case "[object Response]":
      return encodeMessage(object as Request | Response, tag === "[object Request]", s);
  }
  if (ArrayBuffer.isView(object)) {
    const view = object as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { [TAG]: tag.slice(8, -1), v: bytesToBase64(bytes) };
  }
  return reject(s, `${describe(tag)} is not serializable.`);
}

function encodeObject(object: Record<string, unknown>, s: State): unknown {
  const proto = Object.getPrototypeOf(object);
  const plain = proto === null || Object.getPrototypeOf(proto) === null;
  if (!plain) {
    const name = (proto.constructor as { name?: string } | undefined)?.name || "anonymous";
    return reject(s, `a ${name} class instance is not serializable. Pass plain data, or register the class with registerSerializableClass().`);
  }
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      return reject(s, `it has a symbol key (${String(symbol)}), which is not serializable. Use string keys.`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) setOwn(out, key, child(s, key, () => object[key]));
  if (proto === null) return { [TAG]: "NullObject", v: out };
  // A user object that happens to have our tag key is escaped so it is not read as a tag.
  return TAG in out ? { [TAG]: "Object", v: out } : out;
}

function encodeError(error: Error, s: State): unknown {
  const node: Record<string, unknown> = { [TAG]: "Error", name: String(error.name), message: String(error.message) };
  if (typeof error.stack === "string") node.stack = error.stack;
  if ((error as unknown as Record<symbol, unknown>)[Symbol.for("hookline.error")] === true) node.hookline = true;
  if ("cause" in error) node.cause = child(s, "cause", () => error.cause);
  const props: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(error)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause" || key === "errors") continue;
    setOwn(props, key, child(s, key, () => (error as unknown as Record<string, unknown>)[key]));
    any = true;
  }
  if (any) node.props = props;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) node.errors = child(s, "errors", () => errors);
  return node;
}

function encodeMessage(message: Request | Response, isRequest: boolean, s: State): unknown {
  let body: Uint8Array | null;
  if (s.bodies?.has(message)) body = s.bodies.get(message)!;
  else if (message.body === null) body = null;
  else {
    return reject(
      s,
      `a ${isRequest ? "Request" : "Response"} with a body must be read before it is recorded: use serializeAsync(), or pass the body itself.`,
    );
  }
  const headers = [...message.headers.entries()];
  const encoded = body === null ? null : bytesToBase64(body);
  if (isRequest) {
    const request = message as Request;
    return { [TAG]: "Request", method: request.method, url: request.url, headers, body: encoded };
  }
  const response = message as Response;
  return { [TAG]: "Response", status: response.status, statusText: response.statusText, headers, body: encoded };
}

/** Encodes one member, with its path segment pushed and getter failures reported at that path. */
function child(s: State, segment: string | number, read: () => unknown): unknown {
  s.path.push(segment);
  let value: unknown;
  try {
    value = read();
  } catch (cause) {
    if (SerializationError.is(cause)) throw cause;
    reject(s, `reading it threw: ${(cause as Error)?.message ?? String(cause)}`);
  }
  const encoded = encode(value, s);
  s.path.pop();
  return encoded;
}

function reject(s: State, reason: string): never {
  const path = renderPath(s.root, s.path);
  throw new SerializationError(`Cannot serialize ${path}: ${reason}`, path);
}

/** `args[0].customer.socket`, `value.items[3]`, `value.prices.<key "eur">`. */
export function renderPath(root: string, segments: readonly (string | number)[]): string {
  let out = root;
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (segment.startsWith("<")) out += `.${segment}`;
    else out += /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function describe(tag: string): string {
  const name = tag.slice(8, -1);
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
