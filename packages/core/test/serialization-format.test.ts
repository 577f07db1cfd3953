/**
 * The encoding is stored in event logs, so it must not change by accident: these literal
 * encodings fail on any change. A deliberate change must keep reading what these tests write.
 */
import { describe, expect, test } from "vitest";
import { FatalError, SerializationError } from "../src/shared/errors.js";
import {
  deserialize,
  SERIALIZATION_FORMAT_VERSION,
  serialize,
  serializeAsync,
} from "../src/shared/serialization/index.js";

/** Each value and its encoding, today. */
const ENCODINGS: [string, () => unknown, unknown][] = [
  ["plain JSON", () => ({ a: [1, "x", null, true, { b: 2.5 }] }), { a: [1, "x", null, true, { b: 2.5 }] }],
  ["undefined", () => undefined, { $t: "u" }],
  ["undefined members", () => ({ a: undefined, b: [undefined] }), { a: { $t: "u" }, b: [{ $t: "u" }] }],
  ["NaN", () => Number.NaN, { $t: "n", v: "NaN" }],
  ["Infinity", () => Number.POSITIVE_INFINITY, { $t: "n", v: "Infinity" }],
  ["-Infinity", () => Number.NEGATIVE_INFINITY, { $t: "n", v: "-Infinity" }],
  ["-0", () => -0, { $t: "n", v: "-0" }],
  ["BigInt", () => -12n, { $t: "bigint", v: "-12" }],
  ["Date", () => new Date(0), { $t: "Date", v: 0 }],
  ["invalid Date", () => new Date(Number.NaN), { $t: "Date", v: null }],
  [
    "RegExp",
    () => Object.assign(/a.b/gi, { lastIndex: 2 }),
    { $t: "RegExp", source: "a.b", flags: "gi", lastIndex: 2 },
  ],
  [
    "Map",
    () =>
      new Map<unknown, unknown>([
        ["k", 1],
        [2, "v"],
      ]),
    {
      $t: "Map",
      v: [
        ["k", 1],
        [2, "v"],
      ],
    },
  ],
  ["Set", () => new Set([1, "a"]), { $t: "Set", v: [1, "a"] }],
  ["URL", () => new URL("https://x.test/a?b"), { $t: "URL", v: "https://x.test/a?b" }],
  ["ArrayBuffer", () => new Uint8Array([1, 2, 3]).buffer, { $t: "ArrayBuffer", v: "AQID" }],
  ["Uint8Array", () => new Uint8Array([255]), { $t: "Uint8Array", v: "/w==" }],
  ["Int16Array", () => new Int16Array([-2]), { $t: "Int16Array", v: "/v8=" }],
  ["Float64Array", () => new Float64Array([1]), { $t: "Float64Array", v: "AAAAAAAA8D8=" }],
  ["DataView", () => new DataView(new Uint8Array([7, 8]).buffer), { $t: "DataView", v: "Bwg=" }],
  [
    "Headers",
    () =>
      new Headers([
        ["B", "2"],
        ["a", "1"],
      ]),
    {
      $t: "Headers",
      v: [
        ["a", "1"],
        ["b", "2"],
      ],
    },
  ],
  [
    "Request without body",
    () => new Request("https://x.test/", { method: "DELETE", headers: { a: "1" } }),
    { $t: "Request", method: "DELETE", url: "https://x.test/", headers: [["a", "1"]], body: null },
  ],
  [
    "Response without body",
    () => new Response(null, { status: 204 }),
    { $t: "Response", status: 204, statusText: "", headers: [], body: null },
  ],
  ["null prototype", () => Object.assign(Object.create(null), { a: 1 }), { $t: "NullObject", v: { a: 1 } }],
  ["an object with a $t key", () => ({ $t: 1 }), { $t: "Object", v: { $t: 1 } }],
  [
    "a shared object",
    () => {
      const s = {};
      return [s, s];
    },
    [{}, { $t: "Ref", i: 1 }],
  ],
  [
    "a cycle",
    () => {
      const a: Record<string, unknown> = {};
      a.self = a;
      return a;
    },
    { self: { $t: "Ref", i: 0 } },
  ],
  [
    "an Error with a cause and a field",
    () => {
      const error = Object.assign(new TypeError("outer", { cause: new Error("inner") }), { status: 402 });
      error.stack = "stack";
      (error.cause as Error).stack = "inner stack";
      return error;
    },
    {
      $t: "Error",
      name: "TypeError",
      message: "outer",
      stack: "stack",
      cause: { $t: "Error", name: "Error", message: "inner", stack: "inner stack" },
      props: { status: 402 },
    },
  ],
  [
    "a Hookline error",
    () => Object.assign(new FatalError("no"), { stack: "s" }),
    { $t: "Error", name: "FatalError", message: "no", stack: "s", hookline: true, props: { code: "HOOKLINE_FATAL" } },
  ],
  [
    "an AggregateError",
    () => Object.assign(new AggregateError([1], "m"), { stack: "s" }),
    { $t: "Error", name: "AggregateError", message: "m", stack: "s", errors: [1] },
  ],
];

/** Every value in a tree is JSON: strings, finite numbers, booleans, null, arrays and plain objects. */
function assertJsonSafe(value: unknown, path = "value"): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    expect(Number.isFinite(value) && !Object.is(value, -0), path).toBe(true);
    return;
  }
  expect(typeof value, path).toBe("object");
  const proto = Object.getPrototypeOf(value);
  expect(proto === Array.prototype || proto === Object.prototype, path).toBe(true);
  for (const [key, member] of Object.entries(value as object)) assertJsonSafe(member, `${path}.${key}`);
}

describe("serialization: the format", () => {
  test.each(ENCODINGS)("%s encodes as it always has, and reads back", (_name, make, expected) => {
    const encoded = serialize(make());
    expect(encoded).toStrictEqual(expected);
    assertJsonSafe(encoded);
    expect(JSON.parse(JSON.stringify(encoded))).toStrictEqual(encoded);
    expect(serialize(deserialize(expected))).toStrictEqual(expected);
  });

  test("a Request with a body, through serializeAsync", async () => {
    const request = new Request("https://x.test/", { method: "POST", body: "hi" });
    expect(await serializeAsync(request)).toStrictEqual({
      $t: "Request",
      method: "POST",
      url: "https://x.test/",
      headers: [["content-type", "text/plain;charset=UTF-8"]],
      body: "aGk=",
    });
  });

  test("a value using every type is JSON-safe as a whole", () => {
    const value = Object.fromEntries(ENCODINGS.map(([name, make]) => [name, make()]));
    const encoded = serialize(value);
    assertJsonSafe(encoded);
    expect(JSON.parse(JSON.stringify(encoded))).toStrictEqual(encoded);
  });

  test("the format version is 1, and version 1 data carries no marker", () => {
    expect(SERIALIZATION_FORMAT_VERSION).toBe(1);
    expect(deserialize({ $t: "Format", version: 1, v: { a: { $t: "u" } } })).toStrictEqual({ a: undefined });
  });

  test("data from a newer format version, or with a tag this version does not know, is refused by name", () => {
    expect(() => deserialize({ $t: "Format", version: 2, v: {} })).toThrow(
      "Cannot deserialize: the data was written in serialization format 2, and this version of Hookline reads format 1. Upgrade Hookline where the data is read.",
    );
    expect(() => deserialize({ a: { $t: "Temporal.Instant", v: "1970-01-01T00:00:00Z" } })).toThrow(
      'Cannot deserialize: the data holds an unknown type tag "Temporal.Instant". It was not written by Hookline\'s serializer (or by a newer version of Hookline).',
    );
  });

  test("malformed data gives a SerializationError, not a crash inside", () => {
    for (const data of [
      { $t: "Ref", i: 5 },
      { $t: "bigint", v: "1.5" },
      { $t: "Map", v: 3 },
      [{ $t: "Ref", i: "0" }],
    ]) {
      let error: unknown;
      try {
        deserialize(data);
      } catch (e) {
        error = e;
      }
      expect(SerializationError.is(error), JSON.stringify(data)).toBe(true);
      expect((error as Error).message).toMatch(/^Cannot deserialize: the data holds /);
    }
  });

  test("plain JSON costs no tags: every value of a JSON document encodes as itself", () => {
    const doc = JSON.parse(
      '{"id":"evt_1","n":-3.5e-7,"list":[[],{},"",0,false],"unicode":"é\\ud83d\\ude00","lone":"\\ud800"}',
    );
    expect(serialize(doc)).toStrictEqual(doc);
    expect(JSON.parse(JSON.stringify(serialize(doc)))).toStrictEqual(doc);
  });
});
