/**
 * User classes that know how to serialize themselves. The registry lives on globalThis: on
 * the host several copies of this module may be loaded (ESM and CJS builds, route chunks) and
 * must share it; in a vm context, globalThis is that context's own, which is also right.
 */
import { InvalidArgumentError } from "../errors.js";

export const SERIALIZE = Symbol.for("hookline.serialize");
export const DESERIALIZE = Symbol.for("hookline.deserialize");

export interface SerializableClass {
  [SERIALIZE](instance: never): unknown;
  [DESERIALIZE](data: never): unknown;
}

interface Registry {
  byName: Map<string, SerializableClass>;
  byClass: Map<unknown, string>;
}

const KEY = Symbol.for("hookline.serializable-classes");

export function classRegistry(): Registry {
  const global = globalThis as Record<symbol, Registry | undefined>;
  global[KEY] ??= { byName: new Map(), byClass: new Map() };
  return global[KEY];
}

/**
 * Lets instances of `cls` cross serialization under `name` (the last class registered under a
 * name wins). `cls` needs static [Symbol.for("hookline.serialize")] and
 * [Symbol.for("hookline.deserialize")] methods; TypeScript cannot see those through
 * `Symbol.for`, so they are checked here.
 */
export function registerSerializableClass(name: string, cls: abstract new (...args: never[]) => unknown): void {
  const candidate = cls as unknown as Partial<SerializableClass>;
  if (typeof candidate?.[SERIALIZE] !== "function" || typeof candidate?.[DESERIALIZE] !== "function") {
    throw new InvalidArgumentError(
      `registerSerializableClass("${name}"): the class needs static [Symbol.for("hookline.serialize")](instance) and [Symbol.for("hookline.deserialize")](data) methods.`,
    );
  }
  const registry = classRegistry();
  registry.byName.set(name, candidate as SerializableClass);
  registry.byClass.set(cls, name);
}
