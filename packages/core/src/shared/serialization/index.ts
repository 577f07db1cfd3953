/**
 * Serialization of workflow arguments, step arguments and results, hook payloads and errors:
 * values ⇄ JSON-safe trees stored in the event log. The same code runs in the replay sandbox
 * and on the host, so it checks types by brand, never by `instanceof`, and always builds
 * values with the current realm's constructors.
 *
 * - `serialize(value, root)`: synchronous. Plain JSON comes out as itself; other values are
 *   tagged nodes `{ "$t": … }` (undefined, NaN/±Infinity/-0, BigInt, Date, RegExp, Map, Set,
 *   URL, ArrayBuffer and typed arrays, Error with cause and props, Headers, Request/Response
 *   with body, null-prototype objects, registered classes); shared and circular references
 *   are `{ "$t": "Ref", "i": n }`. Anything else throws SerializationError naming the path,
 *   e.g. `args[0].customer.socket`.
 * - `serializeAsync(value, root)`: also reads the bodies of Requests and Responses (from clones).
 * - `deserialize(data, options)`: factories may supply Request/Response/Headers/URL where the
 *   realm lacks them.
 * - `registerSerializableClass(name, cls)`: classes with static [Symbol.for("hookline.serialize")]
 *   and [Symbol.for("hookline.deserialize")] methods.
 *
 * The format is part of the event log's format (LOG_FORMAT_VERSION in world/events.ts).
 */
import type { Serialized } from "../../world/events.js";
import { type DeserializeOptions, decodeValue } from "./decode.js";
import { encodeValue } from "./encode.js";
import { readBodies } from "./read-bodies.js";

export { registerSerializableClass, type SerializableClass } from "./classes.js";
export type { DeserializeOptions, MessageInit } from "./decode.js";
export type { Serialized };

export function serialize(value: unknown, root = "value"): Serialized {
  return encodeValue(value, root);
}

export async function serializeAsync(value: unknown, root = "value"): Promise<Serialized> {
  return encodeValue(value, root, await readBodies(value));
}

export function deserialize(data: Serialized, options?: DeserializeOptions): unknown {
  return decodeValue(data, options);
}
