/** Shared and circular references: the same object twice stays one object. */
import { describe, expect, test } from "vitest";
import { FatalError } from "../src/shared/errors.js";
import { serialize } from "../src/shared/serialization/index.js";
import { roundTrip } from "./serialization-support.js";

describe("serialization: shared and circular references", () => {
  test("an object, array or Date met twice comes back as one", () => {
    const shared = { n: 1 };
    const list = [shared];
    const when = new Date(0);
    const back = roundTrip({ a: shared, b: shared, list, again: list, when, whenAgain: when, inList: [when, shared] });
    expect(back.b).toBe(back.a);
    expect(back.again).toBe(back.list);
    expect(back.list[0]).toBe(back.a);
    expect(back.whenAgain).toBe(back.when);
    expect(back.inList[0]).toBe(back.when);
    expect(back.inList[1]).toBe(back.a);
  });

  test("cycles through objects, arrays, Maps, Sets and Map keys", () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    const list: unknown[] = [];
    list.push(list, value);
    value.list = list;
    const map = new Map<unknown, unknown>();
    map.set("me", map);
    map.set(map, "as key");
    const set = new Set<unknown>();
    set.add(set);
    const back = roundTrip({ value, map, set }) as {
      value: typeof value;
      map: Map<unknown, unknown>;
      set: Set<unknown>;
    };
    expect(back.value.self).toBe(back.value);
    const backList = back.value.list as unknown[];
    expect(backList[0]).toBe(backList);
    expect(backList[1]).toBe(back.value);
    expect(back.map.get("me")).toBe(back.map);
    expect(back.map.get(back.map)).toBe("as key");
    expect(back.set.has(back.set)).toBe(true);
  });

  test("references after an error with fields resolve to the right object", () => {
    // The error's fields are not an object of their own in the numbering.
    const shared = { a: 1 };
    const back = roundTrip({
      error: Object.assign(new FatalError("x"), { extra: { b: 2 } }),
      one: shared,
      two: shared,
      extra: null as unknown,
    });
    expect(back.one).toBe(back.two);
    expect(back.one).toStrictEqual({ a: 1 });
    const inner = { c: 3 };
    const again = roundTrip([new AggregateError([inner], "m"), inner, new Error("e", { cause: inner })]);
    expect(again[1]).toBe((again[0] as AggregateError).errors[0]);
    expect((again[2] as Error).cause).toBe(again[1]);
  });

  test("objects with a null prototype and escaped objects take part in references", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    const tagged = { $t: "x" };
    const back = roundTrip([bare, bare, tagged, tagged]);
    expect(back[1]).toBe(back[0]);
    expect(back[3]).toBe(back[2]);
  });

  test("a reference is written as its object's number in first-met order", () => {
    const shared = { s: 1 };
    expect(serialize({ x: [shared], y: shared })).toStrictEqual({ x: [{ s: 1 }], y: { $t: "Ref", i: 2 } });
    const loop: Record<string, unknown> = {};
    loop.me = loop;
    expect(serialize(loop)).toStrictEqual({ me: { $t: "Ref", i: 0 } });
  });

  test("data nested 1,000 levels deep (the limit) round-trips", () => {
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 999; i++) deep = { next: deep };
    let back = roundTrip(deep);
    let depth = 0;
    while (back.next) {
      back = back.next as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(999);
    expect(back.end).toBe(true);
  });
});
