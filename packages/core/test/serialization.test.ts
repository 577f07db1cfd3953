import vm from "node:vm";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  FatalError,
  HookConflictError,
  HookPayloadError,
  HookTimeoutError,
  RetryableError,
  SerializationError,
} from "../src/shared/errors.js";
import { deserialize, registerSerializableClass, serialize, serializeAsync } from "../src/shared/serialization/index.js";

const roundTrip = <T>(value: T): T => deserialize(JSON.parse(JSON.stringify(serialize(value)))) as T;
const rejection = (value: unknown, root = "value") => {
  try {
    serialize(value, root);
  } catch (error) {
    expect(SerializationError.is(error)).toBe(true);
    return error as SerializationError;
  }
  throw new Error("expected serialize to throw");
};

describe("serialization: what round-trips", () => {
  test("plain JSON encodes as itself", () => {
    const value = { id: "o-1", total: 12.5, paid: false, lines: [{ sku: "a", qty: 2 }], note: null };
    expect(serialize(value)).toEqual(value);
    expect(roundTrip(value)).toEqual(value);
  });

  test("numbers JSON cannot carry, undefined and BigInt", () => {
    const value = roundTrip({ nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, negZero: -0, u: undefined, big: 2n ** 70n, list: [undefined, 1] });
    expect(value.nan).toBeNaN();
    expect(value.inf).toBe(Number.POSITIVE_INFINITY);
    expect(value.ninf).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(value.negZero, -0)).toBe(true);
    expect(Object.hasOwn(value, "u")).toBe(true);
    expect(value.big).toBe(2n ** 70n);
    expect(value.list).toEqual([undefined, 1]);
  });

  test("Date (also invalid), RegExp with lastIndex, URL, Map and Set with any keys", () => {
    const re = /a(b)?/gi;
    re.lastIndex = 3;
    const key = { k: 1 };
    const value = roundTrip({ when: new Date(1_700_000_000_000), bad: new Date(Number.NaN), re, url: new URL("https://x.test/a?b=1#c"), map: new Map<unknown, unknown>([[key, "object key"], [1, new Set([1n, "x"])]]) });
    expect(value.when).toBeInstanceOf(Date);
    expect(value.when.getTime()).toBe(1_700_000_000_000);
    expect(Number.isNaN(value.bad.getTime())).toBe(true);
    expect(value.re).toBeInstanceOf(RegExp);
    expect([value.re.source, value.re.flags, value.re.lastIndex]).toEqual(["a(b)?", "gi", 3]);
    expect(value.url).toBeInstanceOf(URL);
    expect(value.url.href).toBe("https://x.test/a?b=1#c");
    expect([...value.map.keys()][0]).toEqual({ k: 1 });
    expect(value.map.get(1)).toEqual(new Set([1n, "x"]));
  });

  test("ArrayBuffer, every typed array and DataView keep their bytes and their type", () => {
    const buffer = new Uint8Array([1, 2, 255]).buffer;
    const arrays = [
      new Int8Array([-1, 2]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([3]),
      new Int16Array([-300]),
      new Uint16Array([65535]),
      new Int32Array([-70000]),
      new Uint32Array([4e9]),
      new Float32Array([1.5]),
      new Float64Array([Math.PI]),
      new BigInt64Array([-5n]),
      new BigUint64Array([5n]),
    ];
    const value = roundTrip({ buffer, arrays, view: new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2), slice: new Uint8Array([5, 6, 7, 8]).subarray(1, 3) });
    expect(value.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(value.buffer)]).toEqual([1, 2, 255]);
    value.arrays.forEach((array, i) => {
      expect(array.constructor).toBe(arrays[i]!.constructor);
      expect([...(array as unknown as Iterable<unknown>)]).toEqual([...(arrays[i] as unknown as Iterable<unknown>)]);
    });
    expect(value.view).toBeInstanceOf(DataView);
    expect([value.view.getUint8(0), value.view.getUint8(1)]).toEqual([8, 7]);
    expect([...value.slice]).toEqual([6, 7]);
  });

  test("errors keep name, message, stack, cause, own props and class", () => {
    const cause = new TypeError("inner");
    const error = Object.assign(new RangeError("outer", { cause }), { status: 402 });
    const value = roundTrip(error);
    expect(value).toBeInstanceOf(RangeError);
    expect(value.message).toBe("outer");
    expect(value.stack).toBe(error.stack);
    expect(value.cause).toBeInstanceOf(TypeError);
    expect((value as unknown as { status: number }).status).toBe(402);
    const custom = Object.assign(new Error("x"), { name: "PaymentError" });
    expect(roundTrip(custom).name).toBe("PaymentError");
    const aggregate = roundTrip(new AggregateError([new Error("a"), "b"], "many"));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors.map((e: unknown) => (e instanceof Error ? e.message : e))).toEqual(["a", "b"]);
  });

  test("Hookline errors come back as Hookline classes with their fields", () => {
    expect(FatalError.is(roundTrip(new FatalError("declined")))).toBe(true);
    const timeout = roundTrip(new HookTimeoutError("late"));
    expect(HookTimeoutError.is(timeout) && FatalError.is(timeout)).toBe(true);
    expect(roundTrip(new RetryableError("soon", { retryAfter: "5s" })).retryAfter).toBe("5s");
    expect(roundTrip(new HookConflictError("held", { heldBy: "wrun_1" })).heldBy).toBe("wrun_1");
    const payload = roundTrip(new HookPayloadError("bad", [{ message: "m", path: ["a"] }]));
    expect(payload.issues).toEqual([{ message: "m", path: ["a"] }]);
    expect(payload.code).toBe("HOOKLINE_HOOK_PAYLOAD_INVALID");
    // An ordinary error with a Hookline-like code stays ordinary.
    expect(FatalError.is(roundTrip(Object.assign(new Error("x"), { code: "HOOKLINE_FATAL" })))).toBe(false);
  });

  test("Headers, and Request/Response with their bodies through serializeAsync", async () => {
    const headers = roundTrip(new Headers({ "X-A": "1" }));
    expect(headers).toBeInstanceOf(Headers);
    expect(headers.get("x-a")).toBe("1");
    const request = new Request("https://x.test/hook", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
    const recorded = await serializeAsync({ request });
    expect(await request.text()).toBe('{"a":1}'); // the caller's request is still readable
    const back = deserialize(JSON.parse(JSON.stringify(recorded))) as { request: Request };
    expect(back.request.method).toBe("POST");
    expect(back.request.headers.get("content-type")).toBe("application/json");
    expect(await back.request.json()).toEqual({ a: 1 });
    const response = deserialize(await serializeAsync(new Response("nope", { status: 409, statusText: "Conflict" }))) as Response;
    expect([response.status, response.statusText, await response.text()]).toEqual([409, "Conflict", "nope"]);
    const empty = deserialize(serialize(new Response(null, { status: 204 }))) as Response;
    expect(empty.body).toBeNull();
  });

  test("shared and circular references are preserved", () => {
    const shared = { n: 1 };
    const value: Record<string, unknown> = { a: shared, b: [shared], date: new Date(0) };
    value.self = value;
    value.again = value.date;
    const back = roundTrip(value) as typeof value & { a: object; b: object[] };
    expect(back.self).toBe(back);
    expect(back.b[0]).toBe(back.a);
    expect(back.again).toBe(back.date);
    const map = new Map<string, unknown>();
    map.set("me", map);
    const mapBack = roundTrip(map);
    expect(mapBack.get("me")).toBe(mapBack);
  });

  test("objects with null prototype, our tag key, and a __proto__ key", () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    const back = roundTrip({ bare, tagged: { $t: "Date", v: 1 }, proto: JSON.parse('{"__proto__": {"polluted": true}}') });
    expect(Object.getPrototypeOf(back.bare)).toBeNull();
    expect(back.bare.a).toBe(1);
    expect(back.tagged).toEqual({ $t: "Date", v: 1 });
    expect(Object.getPrototypeOf(back.proto)).toBe(Object.prototype);
    expect(Object.hasOwn(back.proto, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("registered classes round-trip through their own hooks", () => {
    class Money {
      constructor(readonly cents: bigint, readonly currency: string) {}
      static [Symbol.for("hookline.serialize")](m: Money) {
        return { cents: m.cents, currency: m.currency };
      }
      static [Symbol.for("hookline.deserialize")](data: { cents: bigint; currency: string }) {
        return new Money(data.cents, data.currency);
      }
    }
    registerSerializableClass("test.Money", Money);
    const back = roundTrip({ price: new Money(1999n, "EUR") });
    expect(back.price).toBeInstanceOf(Money);
    expect(back.price).toEqual(new Money(1999n, "EUR"));
    expect(rejection({ price: new (class Other {})() }, "args").message).toContain("register the class");
    // The registry is on globalThis, shared by every copy of this module in the process.
    const registry = (globalThis as Record<symbol, { byName: Map<string, unknown> }>)[Symbol.for("hookline.serializable-classes")];
    expect(registry?.byName.get("test.Money")).toBe(Money);
  });
});

describe("serialization: what is refused, and where", () => {
  test("paths name the offending value", () => {
    class Socket {}
    expect(rejection({ customer: { socket: new Socket() } }, "args[0]").message).toBe(
      "Cannot serialize args[0].customer.socket: a Socket class instance is not serializable. Pass plain data, or register the class with registerSerializableClass().",
    );
    expect(rejection([1, [2, () => 3]], "args").path).toBe("args[1][1]");
    expect(rejection({ "odd key": Symbol("s") }).path).toBe('value["odd key"]');
    expect(rejection(new Map([["eur", new WeakMap()]])).path).toBe('value.<map value "eur">');
    expect(rejection(new Set([1, Promise.resolve()])).path).toBe("value.<set value #1>");
    expect(rejection(new Error("e", { cause: () => 1 })).path).toBe("value.cause");
  });

  test("each unserializable kind says what it is", () => {
    expect(rejection(() => 1).message).toContain("a function");
    expect(rejection(Symbol("s")).message).toContain("a symbol (Symbol(s))");
    expect(rejection({ [Symbol("k")]: 1 }).message).toBe("Cannot serialize value[Symbol(k)]: a symbol key is not serializable. Use a string key.");
    expect(rejection(new WeakSet()).message).toContain("a WeakSet is not serializable");
    expect(rejection(Promise.resolve()).message).toContain("a Promise is not serializable");
    expect(rejection((function* () {})()).message).toContain("Generator");
    const request = new Request("https://x.test", { method: "POST", body: "x" });
    expect(rejection({ request }).message).toContain("Use serializeAsync()");
  });

  test("a throwing getter is reported at its path", () => {
    const value = { get secret(): string {
      throw new Error("nope");
    } };
    const error = rejection({ config: value }, "args");
    expect(error.path).toBe("args.config.secret");
    expect(error.message).toContain("reading it threw: nope");
  });
});

describe("serialization: realms and format", () => {
  test("values from one vm context deserialize into another context's own classes", async () => {
    const { outputFiles } = await build({
      entryPoints: [fileURLToPath(new URL("../src/shared/serialization/index.ts", import.meta.url))],
      bundle: true,
      format: "iife",
      globalName: "Serialization",
      platform: "neutral",
      write: false,
    });
    const code = outputFiles[0]!.text;
    const makeRealm = () => {
      const context = vm.createContext({ TextEncoder, TextDecoder, URL, Headers });
      vm.runInContext(code, context);
      return context;
    };
    const a = makeRealm();
    const b = makeRealm();
    const encoded = vm.runInContext(
      `const v = { when: new Date(7), m: new Map([[1, new Set(["x"])]]), e: new TypeError("t"), bytes: new Uint8Array([1]) }; v.self = v; JSON.stringify(Serialization.serialize(v))`,
      a,
    ) as string;
    b.input = encoded;
    const verdict = vm.runInContext(
      `const v = Serialization.deserialize(JSON.parse(input));
       [v.when instanceof Date, v.m instanceof Map, v.m.get(1) instanceof Set, v.e instanceof TypeError, v.bytes instanceof Uint8Array, v.self === v, Object.getPrototypeOf(v) === Object.prototype]`,
      b,
    ) as boolean[];
    expect([...verdict]).toEqual([true, true, true, true, true, true, true]);
    // And the host reads the other realm's values by brand, not by instanceof.
    const foreign = vm.runInNewContext(`({ when: new Date(3), m: new Map([["k", [1]]]) })`);
    expect(roundTrip(foreign)).toEqual({ when: new Date(3), m: new Map([["k", [1]]]) });
  });

  test("the encoding is stable (it is stored in event logs)", () => {
    expect(serialize({ a: undefined, b: 1n, c: new Date(0), d: -0, e: [Number.NaN] })).toEqual({
      a: { $t: "u" },
      b: { $t: "bigint", v: "1" },
      c: { $t: "Date", v: 0 },
      d: { $t: "n", v: "-0" },
      e: [{ $t: "n", v: "NaN" }],
    });
    expect(serialize(new Map([["k", new Set([1])]]))).toEqual({ $t: "Map", v: [["k", { $t: "Set", v: [1] }]] });
    expect(serialize(new Uint8Array([1, 2, 3]))).toEqual({ $t: "Uint8Array", v: "AQID" });
    const loop: Record<string, unknown> = {};
    loop.me = loop;
    expect(serialize(loop)).toEqual({ me: { $t: "Ref", i: 0 } });
    expect(serialize(new FatalError("no"))).toMatchObject({ $t: "Error", name: "FatalError", message: "no", hookline: true, props: { code: "HOOKLINE_FATAL" } });
    expect(serialize({ $t: 1 })).toEqual({ $t: "Object", v: { $t: 1 } });
  });
});
