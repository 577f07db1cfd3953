/**
 * The wire format's vocabulary. Plain JSON stands for itself; every other value is a tagged
 * node `{ "$t": <tag>, ... }`. The format is stored in event logs, so a tag never changes
 * meaning: a new type gets a new tag (an older reader refuses it with a clear error), and a
 * change to an existing node's meaning bumps SERIALIZATION_FORMAT_VERSION.
 *
 * The version marker costs nothing today: version 1 data carries none. A later version writes
 * its root as `{ "$t": "Format", "version": n, "v": <data> }`, which this reader already
 * understands: it reads version 1 and refuses a newer one by name, instead of misreading it.
 */
export const SERIALIZATION_FORMAT_VERSION = 1;

export const TAG = "$t";

/** The root envelope a future format version will write; see above. */
export const FORMAT_TAG = "Format";

export const TYPED_ARRAY_TAGS: ReadonlySet<string> = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "DataView",
]);
