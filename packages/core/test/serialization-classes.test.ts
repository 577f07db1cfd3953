/** Registered classes round-trip through their own hooks; the registry is shared through globalThis. */
import vm from "node:vm";
import { describe, expect, test } from "vitest";
import { InvalidArgumentError, SerializationError } from "../src/shared/errors.js";
import {
  deserialize,
  registerSerializableClass,
  serialize,
  serializeAsync,
} from "../src/shared/serialization/index.js";
import { rejection, roundTrip, serializationBundle } from "./serialization-support.js";

const SERIALIZE = Symbol.for("hookline.serialize");
const DESERIALIZE = Symbol.for("hookline.deserialize");
type Registry = { byName: Map<string, unknown>; byClass: Map<unknown, string> };
const registry = () =>
  (globalThis as Record<symbol, Registry | undefined>)[Symbol.for("hookline.serializable-classes")];

class Money {
  readonly #cents: bigint;
  constructor(
    cents: bigint,
    readonly currency: string,
    readonly receipt?: Uint8Array,
  ) {
    this.#cents = cents;
  }
  get cents(): bigint {
    return this.#cents;
  }
  static [SERIALIZE](m: Money) {
    return { cents: m.#cents, currency: m.currency, receipt: m.receipt, at: new Date(1) };
  }
  static [DESERIALIZE](data: { cents: bigint; currency: string; receipt?: Uint8Array; at: Date }) {
    expect(data.at).toBeInstanceOf(Date);
    return new Money(data.cents, data.currency, data.receipt);
  }
}
registerSerializableClass("test.Money", Money);

describe("serialization: registered classes", () => {
  test("an instance round-trips through its hooks; their data is serialized in full", () => {
    const price = new Money(1999n, "EUR", new Uint8Array([1, 2]));
    expect(serialize({ price })).toStrictEqual({
      price: {
        $t: "Class",
        name: "test.Money",
        v: {
          cents: { $t: "bigint", v: "1999" },
          currency: "EUR",
          receipt: { $t: "Uint8Array", v: "AQI=" },
          at: { $t: "Date", v: 1 },
        },
      },
    });
    const back = roundTrip({ price, again: price });
    expect(back.price).toBeInstanceOf(Money);
    expect([back.price.cents, back.price.currency, back.price.receipt]).toStrictEqual([
      1999n,
      "EUR",
      new Uint8Array([1, 2]),
    ]);
    expect(back.again).toBe(back.price);
  });

  test('the registry is a Map on globalThis under Symbol.for("hookline.serializable-classes")', () => {
    expect(registry()?.byName.get("test.Money")).toBe(Money);
    expect(registry()?.byClass.get(Money)).toBe("test.Money");
  });

  test("another copy of the module (another build or chunk) shares the registrations", async () => {
    // A second copy, evaluated in this realm as a separate script: its own module state, the same globalThis.
    const copy = vm.runInThisContext(
      `${await serializationBundle()}; Hookline`,
    ) as typeof import("../src/shared/serialization/index.js");
    expect(copy.serialize).not.toBe(serialize);
    class Point {
      constructor(readonly x: number) {}
      static [SERIALIZE](p: Point) {
        return p.x;
      }
      static [DESERIALIZE](x: number) {
        return new Point(x);
      }
    }
    copy.registerSerializableClass("test.Point", Point);
    const back = deserialize(serialize(new Point(3)));
    expect(back).toBeInstanceOf(Point);
    expect((copy.deserialize(copy.serialize(new Money(5n, "USD"))) as Money).cents).toBe(5n);
  });

  test("the last class registered under a name reads it; each instance is written by its own class", () => {
    class First {
      readonly #secret = "first";
      static [SERIALIZE](f: First) {
        return f.#secret; // a private field: only First itself can read it
      }
      static [DESERIALIZE](data: string) {
        return { readBy: "First", data };
      }
    }
    // biome-ignore lint/complexity/noStaticOnlyClass: the registry takes classes with static hooks.
    class Second {
      static [SERIALIZE]() {
        return "second";
      }
      static [DESERIALIZE](data: string) {
        return { readBy: "Second", data };
      }
    }
    registerSerializableClass("test.Twice", First);
    registerSerializableClass("test.Twice", Second);
    expect(roundTrip(new First())).toStrictEqual({ readBy: "Second", data: "first" });
    expect(roundTrip(new Second())).toStrictEqual({ readBy: "Second", data: "second" });
  });

  test("a subclass of a registered class is not covered", () => {
    class Euro extends Money {}
    expect(rejection(new Euro(1n, "EUR")).message).toContain("a Euro class instance is not serializable");
  });

  test("a registered class that extends a built-in (Request) is written by its hooks, not as the built-in", async () => {
    class Delivery extends Request {
      static [SERIALIZE](d: Delivery) {
        return { url: d.url };
      }
      static [DESERIALIZE](data: { url: string }) {
        return new Delivery(data.url);
      }
    }
    registerSerializableClass("test.Delivery", Delivery);
    const request = new Delivery("https://x.test/hook", { method: "POST", body: "unread" });
    expect(serialize(request)).toStrictEqual({ $t: "Class", name: "test.Delivery", v: { url: "https://x.test/hook" } });
    expect(deserialize(await serializeAsync(request))).toBeInstanceOf(Delivery);
  });

  test("failures name the class and the path", () => {
    // biome-ignore lint/complexity/noStaticOnlyClass: the registry takes classes with static hooks.
    class Broken {
      static [SERIALIZE](): unknown {
        throw new Error("cannot");
      }
      static [DESERIALIZE](): unknown {
        throw new Error("cannot read");
      }
    }
    registerSerializableClass("test.Broken", Broken);
    expect(rejection({ b: new Broken() }).message).toBe(
      'Cannot serialize value.b: the serializer of the registered class "test.Broken" threw: cannot',
    );
    // biome-ignore lint/complexity/noStaticOnlyClass: the registry takes classes with static hooks.
    class Leaky {
      static [SERIALIZE]() {
        return { socket: new (class Socket {})() };
      }
      static [DESERIALIZE]() {
        return new Leaky();
      }
    }
    registerSerializableClass("test.Leaky", Leaky);
    expect(rejection([new Leaky()]).path).toBe("value[0].<test.Leaky data>.socket");
    expect(() => deserialize({ $t: "Class", name: "test.Broken", v: null })).toThrow(
      'Cannot deserialize a "test.Broken" instance: the deserializer of the registered class threw: cannot read',
    );
    let error: unknown;
    try {
      deserialize({ $t: "Class", name: "test.Nobody", v: 1 });
    } catch (e) {
      error = e;
    }
    expect(SerializationError.is(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Cannot deserialize a "test.Nobody" instance: no class is registered under that name here. Call registerSerializableClass("test.Nobody", TheClass) where the value is read, before deserializing.',
    );
    // A name the compiler gave says which file registers the class.
    expect(() => deserialize({ $t: "Class", name: "class//lib/money.ts//Money", v: 1 })).toThrow(
      'Cannot deserialize a "Money" instance: its class is registered when the app\'s lib/money.ts loads, and nothing here imported it. Import that file where the value is read, before deserializing.',
    );
  });

  test("a cycle back to the instance through its own data is refused", () => {
    class Node {
      next: unknown;
      static [SERIALIZE](n: Node) {
        return { next: n.next };
      }
      static [DESERIALIZE](data: { next: unknown }) {
        return Object.assign(new Node(), data);
      }
    }
    registerSerializableClass("test.Node", Node);
    const node = new Node();
    node.next = { back: node };
    expect(rejection(node).message).toBe(
      "Cannot serialize value.<test.Node data>.next.back: it is the registered class instance whose data is being serialized; a cycle through a registered class cannot be restored. Leave the instance out of what its serializer returns.",
    );
    // Two instances referring to each other only through plain data outside them are fine.
    const a = new Node();
    const back = roundTrip({ a, list: [a] });
    expect(back.list[0]).toBe(back.a);
  });

  test("registering needs a name and both hooks", () => {
    expect(() => registerSerializableClass("x", class NoHooks {})).toThrow(InvalidArgumentError);
    expect(() => registerSerializableClass("x", class NoHooks {})).toThrow(
      'registerSerializableClass("x"): the class needs static [WORKFLOW_SERIALIZE](instance) and [WORKFLOW_DESERIALIZE](data) methods (symbols exported by "hookline")',
    );
    expect(() => registerSerializableClass("", Money)).toThrow("name must be a non-empty string");
  });
});
