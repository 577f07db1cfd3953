/** Every supported type survives serialize → JSON → deserialize with its value and its type. */
import { describe, expect, test } from "vitest";
import { deserialize, serialize } from "../src/shared/serialization/index.js";
import { roundTrip } from "./serialization-support.js";

describe("serialization: values round-trip with their type", () => {
  test("plain JSON encodes as itself and comes back equal, as fresh objects", () => {
    const value = {
      id: "o-1",
      total: 12.5,
      paid: false,
      lines: [{ sku: "a", qty: 2 }],
      note: null,
      nested: { deep: [[], {}] },
    };
    expect(serialize(value)).toStrictEqual(value);
    const back = roundTrip(value);
    expect(back).toStrictEqual(value);
    // Deserialize builds new objects: it never hands back the input tree.
    const input = JSON.parse(JSON.stringify(value));
    const fresh = deserialize(input) as typeof value;
    expect(fresh).not.toBe(input);
    expect(fresh.lines).not.toBe(input.lines);
    expect(fresh.lines[0]).not.toBe(input.lines[0]);
    for (const primitive of ["", "x", 0, 1.5, -7, true, false, null]) expect(roundTrip(primitive)).toBe(primitive);
  });

  test("undefined, at the root, in arrays and as object values", () => {
    expect(roundTrip(undefined)).toBeUndefined();
    const back = roundTrip({ u: undefined, list: [undefined, 1, undefined] });
    expect(Object.hasOwn(back, "u")).toBe(true);
    expect(back.u).toBeUndefined();
    expect(back.list).toStrictEqual([undefined, 1, undefined]);
    expect(back.list.length).toBe(3);
  });

  test("numbers JSON cannot carry: NaN, ±Infinity, -0", () => {
    const back = roundTrip([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ]);
    expect(back[0]).toBeNaN();
    expect(back[1]).toBe(Number.POSITIVE_INFINITY);
    expect(back[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back[3], -0)).toBe(true);
    expect(Object.is(back[4], 0)).toBe(true);
    expect(back.slice(5)).toStrictEqual([Number.MAX_VALUE, Number.MIN_VALUE]);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
  });

  test("BigInt, large and negative", () => {
    for (const big of [0n, -1n, 2n ** 70n, -(3n ** 90n)]) {
      const back = roundTrip(big);
      expect(typeof back).toBe("bigint");
      expect(back).toBe(big);
    }
  });

  test("Date, also an invalid one", () => {
    const back = roundTrip({ when: new Date(1_700_000_000_123), bad: new Date(Number.NaN), epoch: new Date(0) });
    expect(back.when).toBeInstanceOf(Date);
    expect(back.when.getTime()).toBe(1_700_000_000_123);
    expect(back.bad).toBeInstanceOf(Date);
    expect(Number.isNaN(back.bad.getTime())).toBe(true);
    expect(back.epoch.getTime()).toBe(0);
  });

  test("RegExp keeps source, flags and lastIndex", () => {
    const re = /a(b)?\/[\u00e9]/dgimsuy;
    re.lastIndex = 3;
    const back = roundTrip(re);
    expect(back).toBeInstanceOf(RegExp);
    expect(back).not.toBe(re);
    expect([back.source, back.flags, back.lastIndex]).toStrictEqual([re.source, re.flags, 3]);
    expect(back.exec("xxx")).toBeNull();
  });

  test("URL keeps its href", () => {
    const back = roundTrip(new URL("https://user:pw@x.test:8443/a%20b?q=1&r=%C3%A9#frag"));
    expect(back).toBeInstanceOf(URL);
    expect(back.href).toBe("https://user:pw@x.test:8443/a%20b?q=1&r=%C3%A9#frag");
    expect(back.searchParams.get("r")).toBe("é");
  });

  test("Map and Set with keys and values of any supported type, in order", () => {
    const objectKey = { k: 1 };
    const map = new Map<unknown, unknown>([
      ["s", 1],
      [1, "one"],
      [objectKey, "object key"],
      [undefined, null],
      [2n, new Date(5)],
      [Number.NaN, [1]],
    ]);
    const back = roundTrip({ map, set: new Set<unknown>([1, "1", 1n, undefined, { a: 1 }, new Set([2])]) });
    expect(back.map).toBeInstanceOf(Map);
    expect([...back.map.keys()]).toStrictEqual(["s", 1, { k: 1 }, undefined, 2n, Number.NaN]);
    expect(back.map.get("s")).toBe(1);
    expect(back.map.get(Number.NaN)).toStrictEqual([1]);
    expect(back.map.get(2n)).toBeInstanceOf(Date);
    expect(back.map).toStrictEqual(map);
    expect(back.set).toBeInstanceOf(Set);
    expect([...back.set]).toStrictEqual([1, "1", 1n, undefined, { a: 1 }, new Set([2])]);
    expect(roundTrip(new Map())).toStrictEqual(new Map());
    expect(roundTrip(new Set())).toStrictEqual(new Set());
  });

  test("ArrayBuffer, every typed array and DataView keep their bytes and their type", () => {
    const buffer = new Uint8Array([0, 1, 2, 255]).buffer;
    const arrays = [
      new Int8Array([-128, 127]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([0, 255]),
      new Int16Array([-32768, 300]),
      new Uint16Array([65535]),
      new Int32Array([-2147483648]),
      new Uint32Array([4294967295]),
      new Float32Array([1.5, Number.NaN, Number.NEGATIVE_INFINITY]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
      new Uint8Array(0),
    ];
    const back = roundTrip({ buffer, arrays });
    expect(back.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(back.buffer)]).toStrictEqual([0, 1, 2, 255]);
    back.arrays.forEach((array, i) => {
      expect(Object.getPrototypeOf(array)).toBe(Object.getPrototypeOf(arrays[i]!));
      expect(array).toStrictEqual(arrays[i]);
    });
    expect(Object.is((back.arrays[8] as Float64Array)[1], -0)).toBe(true);
  });

  test("a view records only its own bytes; a DataView keeps them", () => {
    const pool = new Uint8Array([9, 8, 7, 6, 5]);
    const back = roundTrip({
      slice: pool.subarray(1, 3),
      view: new DataView(pool.buffer, 2, 2),
      wide: new Uint16Array(pool.buffer.slice(0, 4), 2, 1),
    });
    expect(back.slice).toStrictEqual(new Uint8Array([8, 7]));
    expect(back.slice.buffer.byteLength).toBe(2);
    expect(back.view).toBeInstanceOf(DataView);
    expect([back.view.byteLength, back.view.getUint8(0), back.view.getUint8(1)]).toStrictEqual([2, 7, 6]);
    expect(back.wide).toBeInstanceOf(Uint16Array);
    expect(back.wide[0]).toBe(new Uint16Array(new Uint8Array([7, 6]).buffer)[0]);
  });

  test("a Node Buffer comes back as a Uint8Array of its own bytes", () => {
    const back = roundTrip(Buffer.from("héllo"));
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
    expect(new TextDecoder().decode(back)).toBe("héllo");
  });

  test("Headers keep every field, repeated set-cookie included", () => {
    const headers = new Headers([
      ["Content-Type", "text/plain"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["x-list", "1"],
    ]);
    headers.append("x-list", "2");
    const back = roundTrip(headers);
    expect(back).toBeInstanceOf(Headers);
    expect(back.get("content-type")).toBe("text/plain");
    expect(back.getSetCookie()).toStrictEqual(["a=1", "b=2"]);
    expect(back.get("x-list")).toBe("1, 2");
  });

  test("objects with a null prototype, and keys that look special", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, nested: Object.create(null) });
    const back = roundTrip({
      bare,
      tagged: { $t: "Date", v: 1 },
      proto: JSON.parse('{"__proto__": {"polluted": true}}'),
      constructor: "c",
    });
    expect(Object.getPrototypeOf(back.bare)).toBeNull();
    expect(Object.getPrototypeOf(back.bare.nested)).toBeNull();
    expect(back.bare.a).toBe(1);
    expect(back.tagged).toStrictEqual({ $t: "Date", v: 1 });
    expect(Object.getPrototypeOf(back.proto)).toBe(Object.prototype);
    expect(Object.hasOwn(back.proto, "__proto__")).toBe(true);
    expect(back.constructor).toBe("c");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("sparse arrays come back dense, holes as undefined", () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    const back = roundTrip([1, , 3]);
    expect(back).toStrictEqual([1, undefined, 3]);
    expect(1 in back).toBe(true);
  });

  test("getters are read once, as values; non-enumerable and inherited fields are left out", () => {
    let reads = 0;
    const value = Object.defineProperty(
      {
        get total() {
          reads++;
          return 3;
        },
      },
      "hidden",
      { value: 1, enumerable: false },
    );
    expect(roundTrip(value)).toStrictEqual({ total: 3 });
    expect(reads).toBe(1);
  });
});
