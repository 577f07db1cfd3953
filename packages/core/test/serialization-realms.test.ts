/**
 * The module runs on both sides of the vm boundary: values made in one realm serialize by
 * brand, and deserialize into the reading realm's own classes. The sandbox side is the module
 * bundled and run in a vm context with only the globals the replay sandbox gets.
 */
import vm from "node:vm";
import { beforeAll, describe, expect, test } from "vitest";
import { FatalError, HookTimeoutError } from "../src/shared/errors.js";
import { deserialize, registerSerializableClass, serialize } from "../src/shared/serialization/index.js";
import { inRealm, rejection, sandboxRealm, serializationBundle } from "./serialization-support.js";

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

/** Every supported ECMAScript type, made in whichever realm evaluates it. */
const KITCHEN_SINK = `(() => {
  const shared = { s: 1 };
  const value = {
    plain: { a: [1, "x", null, true] },
    bare: Object.assign(Object.create(null), { k: 1 }),
    u: undefined, nan: NaN, negZero: -0, big: 10n ** 20n,
    when: new Date(7), re: /x+/gi, map: new Map([[1, new Set(["y"])]]), set: new Set([shared]),
    buffer: new Uint8Array([1, 2]).buffer, bytes: new Uint8Array([3]), floats: new Float64Array([0.5]),
    view: new DataView(new Uint8Array([4, 5]).buffer),
    error: new TypeError("t", { cause: new RangeError("r") }),
    aggregate: new AggregateError([new Error("e")], "agg"),
    shared, again: shared,
  };
  value.self = value;
  return value;
})()`;

/** Evaluated in a realm after `v = Hookline.deserialize(...)`: is each value that realm's own type? */
const OWN_TYPES = `[
  Object.getPrototypeOf(v) === Object.prototype,
  Object.getPrototypeOf(v.plain.a) === Array.prototype,
  Object.getPrototypeOf(v.bare) === null,
  "u" in v && v.u === undefined, Number.isNaN(v.nan), Object.is(v.negZero, -0), v.big === 10n ** 20n,
  v.when instanceof Date && v.when.getTime() === 7,
  v.re instanceof RegExp && v.re.flags === "gi",
  v.map instanceof Map && v.map.get(1) instanceof Set && v.map.get(1).has("y"),
  v.set instanceof Set && v.set.has(v.shared),
  v.buffer instanceof ArrayBuffer && new Uint8Array(v.buffer)[1] === 2,
  v.bytes instanceof Uint8Array && v.floats instanceof Float64Array && v.floats[0] === 0.5,
  v.view instanceof DataView && v.view.getUint8(1) === 5,
  v.error instanceof TypeError && v.error.cause instanceof RangeError,
  v.aggregate instanceof AggregateError && v.aggregate.errors[0] instanceof Error,
  v.again === v.shared && v.self === v,
]`;

describe("serialization across realms", () => {
  let code: string;
  beforeAll(async () => {
    code = await serializationBundle();
  });

  test("the bundle runs in a context with only the sandbox's globals (no Buffer, no require)", async () => {
    const realm = await sandboxRealm();
    expect(inRealm(realm, `typeof Buffer + typeof require + typeof process`)).toBe("undefinedundefinedundefined");
    expect(inRealm(realm, `typeof Hookline.serialize + typeof Hookline.deserialize`)).toBe("functionfunction");
    expect(code).not.toMatch(/\brequire\(/);
  });

  test("the host serializes another realm's values by brand", () => {
    const foreign = vm.runInNewContext(KITCHEN_SINK);
    expect(foreign.map instanceof Map).toBe(false); // the point: no instanceof across realms
    const v = deserialize(json(serialize(foreign))) as Record<string, unknown>;
    const verdict = new Function("v", `return ${OWN_TYPES}`)(v) as boolean[];
    expect(verdict).toStrictEqual(verdict.map(() => true));
  });

  test("another realm's class instances, functions and promises are still refused", () => {
    const foreign = vm.runInNewContext(
      `({ socket: new (class Socket {})(), fn() {}, p: Promise.resolve(), m: new (class Cart extends Map {})() })`,
    );
    expect(rejection({ socket: foreign.socket }).message).toContain(
      "value.socket: a Socket class instance is not serializable",
    );
    expect(rejection({ fn: foreign.fn }).message).toContain("value.fn: a function (fn)");
    expect(rejection({ p: foreign.p }).message).toContain("value.p: a Promise is not serializable");
    expect(rejection({ m: foreign.m }).message).toContain("a Cart class instance (a Map subclass)");
  });

  test("data serialized on the host deserializes into the sandbox realm's own classes", async () => {
    const realm = await sandboxRealm();
    const data = json(serialize(vm.runInNewContext(KITCHEN_SINK)));
    const verdict = inRealm<boolean[]>(realm, `const v = Hookline.deserialize(input); ${OWN_TYPES}`, data);
    expect(verdict).toStrictEqual(verdict.map(() => true));
  });

  test("data serialized in one sandbox deserializes in another sandbox, and on the host", async () => {
    const a = await sandboxRealm();
    const b = await sandboxRealm();
    const text = inRealm<string>(a, `JSON.stringify(Hookline.serialize(${KITCHEN_SINK}))`);
    const verdict = inRealm<boolean[]>(b, `const v = Hookline.deserialize(JSON.parse(input)); ${OWN_TYPES}`, text);
    expect(verdict).toStrictEqual(verdict.map(() => true));
    const v = deserialize(JSON.parse(text)) as Record<string, unknown>;
    expect(new Function("v", `return ${OWN_TYPES}`)(v)).toStrictEqual(verdict.map(() => true));
  });

  test("Hookline errors come back as the reading realm's Hookline classes", async () => {
    const realm = await sandboxRealm();
    const data = json(serialize([new FatalError("declined"), new HookTimeoutError("late")]));
    const verdict = inRealm<unknown[]>(
      realm,
      `const [fatal, timeout] = Hookline.deserialize(input);
       const { FatalError, HookTimeoutError } = Hookline.errors;
       [fatal instanceof FatalError, FatalError.is(fatal), fatal.code, timeout instanceof HookTimeoutError, HookTimeoutError.is(timeout), FatalError.is(timeout)]`,
      data,
    );
    expect([...verdict]).toStrictEqual([true, true, "HOOKLINE_FATAL", true, true, true]);
    // And errors thrown in the sandbox come back to the host as the host's classes.
    const fromSandbox = deserialize(
      inRealm(
        realm,
        `JSON.parse(JSON.stringify(Hookline.serialize(new Hookline.errors.RetryableError("x", { retryAfter: 5 }))))`,
      ),
    ) as Error;
    expect(fromSandbox).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(fromSandbox)).constructor.name).toBe("HooklineError");
    expect((fromSandbox as unknown as { retryAfter: number }).retryAfter).toBe(5);
  });

  test("each realm reads a registered class as its own class registered under the name", async () => {
    class HostMoney {
      constructor(readonly cents: bigint) {}
      static [Symbol.for("hookline.serialize")](m: HostMoney) {
        return { cents: m.cents };
      }
      static [Symbol.for("hookline.deserialize")](data: { cents: bigint }) {
        return new HostMoney(data.cents);
      }
    }
    registerSerializableClass("test.realm.Money", HostMoney);
    const realm = await sandboxRealm();
    inRealm(
      realm,
      `globalThis.SandboxMoney = class SandboxMoney {
         constructor(cents) { this.cents = cents; }
         static [Symbol.for("hookline.serialize")](m) { return { cents: m.cents }; }
         static [Symbol.for("hookline.deserialize")](data) { return new SandboxMoney(data.cents); }
       };
       Hookline.registerSerializableClass("test.realm.Money", SandboxMoney);`,
    );
    const data = json(serialize({ price: new HostMoney(1999n) }));
    expect(
      inRealm(realm, `const v = Hookline.deserialize(input); [v.price instanceof SandboxMoney, v.price.cents]`, data),
    ).toStrictEqual([true, 1999n]);
    const back = deserialize(
      inRealm(realm, `JSON.parse(JSON.stringify(Hookline.serialize(new SandboxMoney(5n))))`),
    ) as HostMoney;
    expect(back).toBeInstanceOf(HostMoney);
    expect(back.cents).toBe(5n);
    // The sandbox's registration lives on the sandbox's globalThis, not the host's.
    const hostRegistry = (globalThis as Record<symbol, { byName: Map<string, unknown> }>)[
      Symbol.for("hookline.serializable-classes")
    ]!;
    expect(hostRegistry.byName.get("test.realm.Money")).toBe(HostMoney);
  });

  test("URL and Headers use the realm's globals; Request and Response need factories where there are none", async () => {
    const realm = await sandboxRealm();
    const data = json(serialize({ url: new URL("https://x.test/a"), headers: new Headers({ a: "1" }) }));
    expect(
      inRealm(
        realm,
        `const v = Hookline.deserialize(input); [v.url instanceof URL, v.url.href, v.headers instanceof Headers, v.headers.get("a")]`,
        data,
      ),
    ).toStrictEqual([true, "https://x.test/a", true, "1"]);
    const response = json(serialize(new Response(null, { status: 204, headers: { x: "y" } })));
    expect(
      inRealm(realm, `try { Hookline.deserialize(input); "no error" } catch (e) { [e.name, e.message] }`, response),
    ).toStrictEqual([
      "SerializationError",
      "Cannot deserialize a Response: this environment has no Response. Pass createResponse in deserialize()'s options.",
    ]);
    expect(
      JSON.parse(
        inRealm(
          realm,
          `const r = Hookline.deserialize(input, { createResponse: (init) => ({ made: true, ...init }) }); JSON.stringify([r.made, r.status, r.headers, r.body])`,
          response,
        ),
      ),
    ).toStrictEqual([true, 204, [["x", "y"]], null]);
    const noUrl = await sandboxRealm({});
    expect(
      inRealm(
        noUrl,
        `try { Hookline.deserialize(input) } catch (e) { e.message }`,
        json(serialize(new URL("https://x.test/"))),
      ),
    ).toBe("Cannot deserialize a URL: this environment has no URL. Pass createURL in deserialize()'s options.");
  });
});
