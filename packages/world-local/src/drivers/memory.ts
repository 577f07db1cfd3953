/**
 * An in-memory unstorage driver with the fs driver's semantics: values are stored as strings
 * (so a caller never shares an object with the store), `{ exclusive: true }` creates a key only
 * if it is absent, and `getKeys` honours `maxDepth`. For tests; one instance is one "disk":
 * pass the same instance to several worlds to make them share storage.
 */
import { defineDriver } from "unstorage";
import { existsError, markExclusive } from "./exclusive.js";

const factory = defineDriver((_options: undefined) => {
  const data = new Map<string, string>();
  const read = (key: string) => data.get(key) ?? null;
  const write = (key: string, value: string, opts: { exclusive?: boolean } = {}) => {
    if (opts.exclusive === true && data.has(key)) throw existsError(key);
    data.set(key, typeof value === "string" ? value : String(value));
  };
  return markExclusive({
    name: "hookline-memory",
    flags: { maxDepth: true },
    getInstance: () => data,
    hasItem: (key: string) => data.has(key),
    getItem: read,
    getItemRaw: read,
    setItem: write,
    setItemRaw: write,
    link(from: string, to: string): boolean {
      const value = data.get(from);
      if (value === undefined) throw Object.assign(new Error(`[hookline] ${from} does not exist`), { code: "ENOENT" });
      if (data.has(to)) return false;
      data.set(to, value);
      return true;
    },
    removeItem: (key: string) => {
      data.delete(key);
    },
    getKeys(base: string, opts: { maxDepth?: number } = {}) {
      const prefix = prefixOf(base);
      const keys: string[] = [];
      for (const key of data.keys()) {
        if (!key.startsWith(prefix)) continue;
        if (opts.maxDepth !== undefined && key.split(":").length - 1 > opts.maxDepth) continue;
        keys.push(key);
      }
      return keys;
    },
    clear(base: string) {
      const prefix = prefixOf(base);
      for (const key of [...data.keys()]) if (key.startsWith(prefix)) data.delete(key);
    },
    dispose() {
      data.clear();
    },
  });
});

/** The key prefix of everything under `base` ("" for everything). */
const prefixOf = (base: string) => (base ? (base.endsWith(":") ? base : `${base}:`) : "");

/** A new, empty in-memory store. */
export function memoryDriver(): ReturnType<typeof factory> {
  return factory(undefined);
}
