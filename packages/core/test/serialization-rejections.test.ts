/** What cannot be serialized is refused with a SerializationError naming its exact path, the reason, and what to do. */
import { describe, expect, test } from "vitest";
import { serialize, serializeAsync } from "../src/shared/serialization/index.js";
import { rejection } from "./serialization-support.js";

const REGISTER = "Pass plain data, or register the class with registerSerializableClass().";

describe("serialization: refusals name the path", () => {
  test("a class instance deep in the arguments", () => {
    class Socket {}
    const error = rejection({ customer: { socket: new Socket() } }, "args[0]");
    expect(error.message).toBe(
      `Cannot serialize args[0].customer.socket: a Socket class instance is not serializable. ${REGISTER}`,
    );
    expect(error.path).toBe("args[0].customer.socket");
    expect(error.code).toBe("HOOKLINE_SERIALIZATION");
    expect(error.name).toBe("SerializationError");
  });

  test("path notation: keys, odd keys, indexes, Map entries, Set members, causes, fields, class data", () => {
    const fn = () => 1;
    expect(rejection({ items: [1, 2, 3, fn] }).path).toBe("value.items[3]");
    expect(rejection([1, [2, fn]], "args").path).toBe("args[1][1]");
    expect(rejection({ "odd key": fn }).path).toBe('value["odd key"]');
    expect(rejection({ "<map value>": fn }).path).toBe('value["<map value>"]');
    expect(rejection({ $t: fn }).path).toBe("value.$t");
    expect(rejection({ prices: new Map([["eur", fn]]) }).path).toBe('value.prices.<map value "eur">');
    expect(rejection(new Map([[7, { deep: fn }]])).path).toBe("value.<map value 7>.deep");
    expect(
      rejection(
        new Map<unknown, unknown>([
          [{}, 1],
          [{ k: 1 }, fn],
        ]),
      ).path,
    ).toBe("value.<map value #1>");
    expect(
      rejection(
        new Map<unknown, unknown>([
          ["a", 1],
          [fn, 2],
        ]),
      ).path,
    ).toBe("value.<map key #1>");
    expect(rejection({ tags: new Set([1, fn]) }).path).toBe("value.tags.<set value #1>");
    expect(rejection(new Error("e", { cause: { why: fn } })).path).toBe("value.cause.why");
    expect(rejection(Object.assign(new Error("e"), { handler: fn })).path).toBe("value.handler");
    expect(rejection(new AggregateError([1, fn])).path).toBe("value.errors[1]");
    expect(rejection(Object.assign(Object.create(null), { x: fn })).path).toBe("value.x");
  });

  test("a very long path is shortened in the middle", () => {
    let deep: Record<string, unknown> = { bad: () => 1 };
    for (let i = 0; i < 60; i++) deep = { next: deep };
    const { path } = rejection(deep);
    expect(path).toBe(`value${".next".repeat(20)}…(21 more)…${".next".repeat(19)}.bad`);
  });
});

describe("serialization: each kind of refusal says what it is and what to do", () => {
  test("functions, with their name when they have one", () => {
    expect(rejection(function charge() {}).message).toBe(
      "Cannot serialize value: a function (charge) is not serializable. Pass data; behaviour belongs in the workflow or in a step.",
    );
    expect(
      rejection([
        (
          () => () =>
            1
        )(),
      ]).message,
    ).toBe(
      "Cannot serialize value[0]: a function is not serializable. Pass data; behaviour belongs in the workflow or in a step.",
    );
    expect(rejection({ Cls: class Money {} }).message).toContain("a function (Money)");
  });

  test("symbols as values, as object keys and as Map keys say which", () => {
    expect(rejection({ kind: Symbol("card") }).message).toBe(
      "Cannot serialize value.kind: a symbol (Symbol(card)) is not serializable. Use a string instead.",
    );
    const keyed = rejection({ nested: { [Symbol("k")]: 1, fine: 2 } });
    expect(keyed.message).toBe(
      "Cannot serialize value.nested[Symbol(k)]: a symbol key is not serializable. Use a string key.",
    );
    expect(keyed.path).toBe("value.nested[Symbol(k)]");
    expect(rejection(new Map([[Symbol("m"), 1]])).message).toBe(
      "Cannot serialize value.<map key #0>: a symbol (Symbol(m)) used as a Map key is not serializable. Use a string key.",
    );
    // A non-enumerable symbol key is not data, like a non-enumerable string key.
    expect(serialize(Object.defineProperty({ a: 1 }, Symbol("hidden"), { value: 1 }))).toStrictEqual({ a: 1 });
  });

  test("WeakMap, WeakSet, WeakRef, Promise, generators and other non-data built-ins", () => {
    expect(rejection({ cache: new WeakMap() }).message).toBe(
      "Cannot serialize value.cache: a WeakMap is not serializable. Its entries cannot be read; use a Map.",
    );
    expect(rejection(new WeakSet()).message).toBe(
      "Cannot serialize value: a WeakSet is not serializable. Its entries cannot be read; use a Set.",
    );
    expect(rejection(new WeakRef({})).message).toBe(
      "Cannot serialize value: a WeakRef is not serializable. Pass the object it refers to.",
    );
    expect(rejection({ pending: Promise.resolve(1) }).message).toBe(
      "Cannot serialize value.pending: a Promise is not serializable. Await it and pass its result.",
    );
    expect(rejection((function* () {})()).message).toBe(
      "Cannot serialize value: a Generator is not serializable. Collect its values into an array first.",
    );
    expect(rejection((async function* () {})()).message).toContain("an AsyncGenerator is not serializable");
    expect(rejection(new URLSearchParams("a=1")).message).toContain("Pass its string (params.toString()) instead.");
    expect(rejection(new Blob(["x"])).message).toContain("a Blob is not serializable");
    expect(rejection(new ReadableStream()).message).toContain(
      "a ReadableStream can cross only as a step's argument or result",
    );
    expect(rejection(new SharedArrayBuffer(1)).message).toContain("a SharedArrayBuffer is not serializable");
    expect(rejection(Object(1n)).message).toBe(
      "Cannot serialize value: a BigInt is not serializable. Pass plain data instead.",
    );
    expect(rejection(Object("boxed")).message).toBe(
      "Cannot serialize value: a String is not serializable. Pass plain data instead.",
    );
  });

  test("class instances, including subclasses of Map, Set, Date, RegExp, Array and ArrayBuffer", () => {
    class Cart extends Map {}
    class Tags extends Set {}
    class Day extends Date {}
    class Pattern extends RegExp {}
    class List extends Array {}
    class Bytes extends ArrayBuffer {}
    expect(rejection(new Cart()).message).toBe(
      `Cannot serialize value: a Cart class instance (a Map subclass) is not serializable. ${REGISTER}`,
    );
    expect(rejection(new Tags()).message).toContain("a Tags class instance (a Set subclass)");
    expect(rejection(new Day()).message).toContain("a Day class instance (a Date subclass)");
    expect(rejection(new Pattern("x")).message).toContain("a Pattern class instance (a RegExp subclass)");
    expect(rejection(List.from([1])).message).toContain("a List class instance (an Array subclass)");
    expect(rejection(new Bytes(1)).message).toContain("a Bytes class instance (an ArrayBuffer subclass)");
    expect(rejection(Object.create({ inherited: 1 })).message).toBe(
      `Cannot serialize value: an object with a custom prototype is not serializable. ${REGISTER}`,
    );
    // A class faking a built-in's toStringTag is still a class instance.
    class FakeDate {
      get [Symbol.toStringTag]() {
        return "Date";
      }
    }
    expect(rejection(new FakeDate()).message).toBe(
      `Cannot serialize value: a FakeDate class instance is not serializable. ${REGISTER}`,
    );
  });

  test("a Request or Response with a body given to the synchronous serialize", async () => {
    const request = new Request("https://x.test", { method: "POST", body: "x" });
    expect(rejection({ request }, "args[0]").message).toBe(
      "Cannot serialize args[0].request: a Request with a body cannot be serialized synchronously: its body must be read first. Use serializeAsync(), or pass the body's data instead.",
    );
    expect(rejection(new Response("x")).message).toContain("a Response with a body cannot be serialized synchronously");
    expect(await request.text()).toBe("x"); // refusing did not consume it
  });

  test("a Request or Response whose body was already read", async () => {
    const response = new Response("gone");
    await response.text();
    const expected =
      "Cannot serialize value.response: a Response whose body was already read cannot be recorded: its bytes are gone. Pass the data you read from it, or a Response that was not read yet.";
    expect(rejection({ response }).message).toBe(expected);
    await expect(serializeAsync({ response })).rejects.toThrow(expected);
  });

  test("a getter that throws is reported at its own path", () => {
    const config = {
      get secret(): string {
        throw new TypeError("no access");
      },
    };
    const error = rejection({ config }, "args");
    expect(error.message).toBe("Cannot serialize args.config.secret: reading it threw: TypeError: no access");
    expect(error.path).toBe("args.config.secret");
    const thrower = {
      get x() {
        throw "a string";
      },
    };
    expect(rejection([0, thrower]).message).toBe("Cannot serialize value[1].x: reading it threw: a string");
  });

  test("a proxy whose traps throw is reported where it sits", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(rejection({ handle: proxy }).path).toBe("value.handle");
    expect(rejection({ handle: proxy }).message).toContain("reading it threw: TypeError");
  });

  test("data nested deeper than 1,000 levels", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 1_000; i++) deep = { next: deep };
    const error = rejection(deep);
    expect(error.message).toMatch(
      /^Cannot serialize value(\.next){20}…\(960 more\)…(\.next){20}: it is nested more than 1000 levels deep/,
    );
  });
});
