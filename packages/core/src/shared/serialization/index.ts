/**
 * Serialization of workflow arguments, step arguments and results, hook payloads and errors:
 * values ⇄ JSON-safe trees stored in the event log. The same code is bundled into the replay
 * sandbox (a vm context) and runs on the host, so it tells types by brand, never by
 * `instanceof`, and always builds values with the current realm's constructors.
 *
 * API
 * - `serialize(value, root = "value"): Serialized`: synchronous; throws SerializationError.
 * - `serializeAsync(value, root = "value"): Promise<Serialized>`: also records Requests and
 *   Responses with bodies, read from clones (the caller's objects stay readable).
 * - `deserialize(data, options?)`: `options.createRequest/createResponse/createHeaders/createURL`
 *   build web types where the realm has none (the sandbox); defaults use the realm's globals.
 * - `registerSerializableClass(name, cls)`: instances of `cls` round-trip through its static
 *   [Symbol.for("hookline.serialize")](instance) and [Symbol.for("hookline.deserialize")](data);
 *   the data is serialized in full (it may hold Uint8Arrays, Dates…). The registry is on
 *   globalThis under Symbol.for("hookline.serializable-classes"); the last class registered
 *   under a name wins. Other class instances are refused.
 *
 * Format (stored in event logs: change it only compatibly, see format.ts)
 * - Plain JSON is itself: `{ "a": [1, "x", null] }` → `{ "a": [1, "x", null] }`.
 * - Anything else is a tagged node: `undefined` → `{ "$t": "u" }`; `NaN`/`±Infinity`/`-0` →
 *   `{ "$t": "n", "v": "NaN" }`; `10n` → `{ "$t": "bigint", "v": "10" }`; Date →
 *   `{ "$t": "Date", "v": ms | null }`; RegExp → `{ "$t": "RegExp", source, flags, lastIndex }`;
 *   Map → `{ "$t": "Map", "v": [[k, v], …] }`; Set → `{ "$t": "Set", "v": […] }`; URL →
 *   `{ "$t": "URL", "v": href }`; ArrayBuffer, typed arrays, DataView → `{ "$t": "Uint8Array",
 *   "v": base64 }`; Headers → `{ "$t": "Headers", "v": [[name, value], …] }`; Request/Response,
 *   Error: see encode-message.ts and encode-error.ts; null-prototype object →
 *   `{ "$t": "NullObject", "v": {…} }`; an object with a "$t" key → `{ "$t": "Object", "v": {…} }`;
 *   registered class → `{ "$t": "Class", "name", "v" }`; a run's stream (getWritable()'s handle,
 *   see ../stream-ref.ts) → `{ "$t": "Stream", "kind", "ns" }`, rebuilt by `options.createStream`;
 *   a step function (see ../step-ref.ts) → `{ "$t": "Step", "id", "c"? }` with the workflow
 *   variables a nested step uses in `c`, revived by the reading realm (a durable call in a
 *   workflow, a direct call on the host).
 * - Objects are numbered in the order first met; a repeat (shared or circular) is
 *   `{ "$t": "Ref", "i": n }`: `a = {}; a.self = a` → `{ "self": { "$t": "Ref", "i": 0 } }`.
 * - Sparse arrays come back dense (holes as undefined); views sharing one ArrayBuffer come
 *   back with a buffer each (a view records only its own bytes, in the machine's byte order,
 *   little-endian wherever Node runs); extra properties of arrays are not kept. Errors come
 *   back as this realm's class: a Hookline error as its Hookline class by `code`, a standard
 *   one (TypeError…) as that constructor, any other as an Error under its recorded name.
 * - The version marker is on the root once a second format exists (see format.ts); today's
 *   data carries none, and each event in the log also records LOG_FORMAT_VERSION.
 *
 * Refused: functions other than step functions, symbols (as values, object keys or Map keys), WeakMap/WeakSet/WeakRef,
 * Promises, generators, instances of unregistered classes (subclasses of Map, Set, Date,
 * RegExp, Array and ArrayBuffer included), a Request/Response with an unread body given to
 * `serialize` or a read one given to either, and data nested more than 1,000 levels deep.
 * Refusals name the path and what to do: `Cannot serialize args[0].customer.socket: a Socket
 * class instance is not serializable. Pass plain data, or register the class with
 * registerSerializableClass().` Paths: `.key`, `["odd key"]`, `[3]`, `.<map value "eur">`,
 * `.<map key #2>`, `.<set value #1>`, `.<Money data>`, `[Symbol(k)]`.
 */
import type { Serialized } from "../../world/events.js";
import { decodeValue } from "./decode.js";
import type { DeserializeOptions } from "./decode-web.js";
import { type EncodeState, encode, encodePrimitive } from "./encode.js";
import { cancelPendingBodies, type PendingBody, readPendingBodies } from "./encode-message.js";
import { toSerializationError } from "./path.js";

export {
  registerDeclaredClass,
  registerSerializableClass,
  type SerializableClass,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "./classes.js";
export type { DeserializeOptions, MessageInit } from "./decode-web.js";
export { SERIALIZATION_FORMAT_VERSION } from "./format.js";
export type { Serialized };

export function serialize(value: unknown, root = "value"): Serialized {
  return walk(value, root, null);
}

export interface SerializeOptions {
  /**
   * A live ReadableStream met in the value: start copying it into one of the run's streams and
   * return that stream's namespace (recorded as `{ "$t": "Stream", "kind": "readable", "ns" }`).
   * Without it, a ReadableStream is refused.
   */
  readable?: (stream: ReadableStream<unknown>) => string;
}

export async function serializeAsync(
  value: unknown,
  root = "value",
  options: SerializeOptions = {},
): Promise<Serialized> {
  const pending: PendingBody[] = [];
  const out = walk(value, root, pending, options.readable ?? null);
  try {
    await readPendingBodies(pending);
  } catch (thrown) {
    cancelPendingBodies(pending);
    throw toSerializationError(thrown, root);
  }
  return out;
}

export function deserialize(data: Serialized, options?: DeserializeOptions): unknown {
  return decodeValue(data, options);
}

function walk(
  value: unknown,
  root: string,
  pending: PendingBody[] | null,
  readable: EncodeState["readable"] = null,
): Serialized {
  try {
    // Primitives need no state.
    if (typeof value !== "object" && typeof value !== "function") return encodePrimitive(value);
    if (value === null) return null;
    const s: EncodeState = { seen: new Map(), pending, open: null, depth: 0, readable };
    return encode(value, s);
  } catch (thrown) {
    if (pending) cancelPendingBodies(pending);
    throw toSerializationError(thrown, root);
  }
}
