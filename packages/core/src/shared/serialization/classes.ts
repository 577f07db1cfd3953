/**
 * User classes that know how to serialize themselves. The registry lives on globalThis, not in
 * this module: on the host several copies of this module may be loaded (ESM and CJS builds,
 * route chunks) and must share it; in a vm context, globalThis is that context's own, which is
 * also right. Its shape is therefore a contract between copies: keep it.
 */
import { InvalidArgumentError } from "../errors.js";

export const SERIALIZE = Symbol.for("hookline.serialize");
export const DESERIALIZE = Symbol.for("hookline.deserialize");

export interface SerializableClass {
  [SERIALIZE](instance: never): unknown;
  [DESERIALIZE](data: never): unknown;
}

export interface ClassRegistry {
  /** name → class; the last class registered under a name wins. */
  byName: Map<string, SerializableClass>;
  /** class → the name it was last registered under. */
  byClass: Map<unknown, string>;
}

const KEY = Symbol.for("hookline.serializable-classes");

export function classRegistry(): ClassRegistry {
  const global = globalThis as Record<symbol, ClassRegistry | undefined>;
  global[KEY] ??= { byName: new Map(), byClass: new Map() };
  return global[KEY];
}

/**
 * Lets instances of `cls` cross serialization under `name`. `cls` needs static
 * [Symbol.for("hookline.serialize")](instance) and [Symbol.for("hookline.deserialize")](data)
 * methods; TypeScript cannot see those through `Symbol.for`, so they are checked here.
 * Subclasses are not covered: register each class whose instances are passed.
 */
export function registerSerializableClass(name: string, cls: abstract new (...args: never[]) => unknown): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError("registerSerializableClass(name, cls): name must be a non-empty string.");
  }
  const candidate = cls as unknown as Partial<SerializableClass> | undefined;
  if (typeof candidate?.[SERIALIZE] !== "function" || typeof candidate?.[DESERIALIZE] !== "function") {
    throw new InvalidArgumentError(
      `registerSerializableClass("${name}"): the class needs static [Symbol.for("hookline.serialize")](instance) and [Symbol.for("hookline.deserialize")](data) methods.`,
    );
  }
  const registry = classRegistry();
  registry.byName.set(name, candidate as SerializableClass);
  registry.byClass.set(cls, name);
}
