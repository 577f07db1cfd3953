/**
 * User classes that know how to serialize themselves. The registry lives on globalThis, not in
 * this module: on the host several copies of this module may be loaded (ESM and CJS builds,
 * route chunks) and must share it; in a vm context, globalThis is that context's own, which is
 * also right. Its shape is therefore a contract between copies: keep it.
 */
import { InvalidArgumentError } from "../errors.js";

export const SERIALIZE = Symbol.for("hookline.serialize");
export const DESERIALIZE = Symbol.for("hookline.deserialize");
/** The Workflow SDK's protocol (`WORKFLOW_SERIALIZE` / `WORKFLOW_DESERIALIZE` of @workflow/serde): the same symbols, so its classes work unchanged. */
export const WORKFLOW_SERIALIZE: unique symbol = Symbol.for("workflow-serialize") as never;
export const WORKFLOW_DESERIALIZE: unique symbol = Symbol.for("workflow-deserialize") as never;

/** A class with static serialize/deserialize methods under Hookline's symbols or the Workflow SDK's. */
export type SerializableClass =
  | { [SERIALIZE](instance: never): unknown; [DESERIALIZE](data: never): unknown }
  | { [WORKFLOW_SERIALIZE](instance: never): unknown; [WORKFLOW_DESERIALIZE](data: never): unknown };

type Method = (value: unknown) => unknown;

/** The class's serialize and deserialize methods (Hookline's symbols first), or undefined if it lacks a pair. */
export function serdeOf(cls: unknown): { serialize: Method; deserialize: Method } | undefined {
  if ((typeof cls !== "function" && typeof cls !== "object") || cls === null) return undefined;
  const methods = cls as Record<symbol, unknown>;
  for (const [s, d] of [
    [SERIALIZE, DESERIALIZE],
    [WORKFLOW_SERIALIZE, WORKFLOW_DESERIALIZE],
  ] as const) {
    const serialize = methods[s];
    const deserialize = methods[d];
    if (typeof serialize === "function" && typeof deserialize === "function") {
      return { serialize: (value) => serialize.call(cls, value), deserialize: (data) => deserialize.call(cls, data) };
    }
  }
  return undefined;
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
 * [WORKFLOW_SERIALIZE](instance) and [WORKFLOW_DESERIALIZE](data) methods (the Workflow SDK's
 * symbols, exported by `hookline`), or Hookline's own [Symbol.for("hookline.serialize")] and
 * [Symbol.for("hookline.deserialize")]; they are checked here. Call it where the class is
 * defined (module top level), so every realm that loads the class registers it: the workflow
 * sandbox and the server. Subclasses are not covered: register each class whose instances are
 * passed.
 *
 *   class Money {
 *     constructor(readonly cents: number, readonly currency: string) {}
 *     static [WORKFLOW_SERIALIZE](m: Money) { return { cents: m.cents, currency: m.currency }; }
 *     static [WORKFLOW_DESERIALIZE](d: { cents: number; currency: string }) { return new Money(d.cents, d.currency); }
 *   }
 *   registerSerializableClass("Money", Money);
 */
export function registerSerializableClass(name: string, cls: abstract new (...args: never[]) => unknown): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError("registerSerializableClass(name, cls): name must be a non-empty string.");
  }
  if (!serdeOf(cls)) {
    throw new InvalidArgumentError(
      `registerSerializableClass("${name}"): the class needs static [WORKFLOW_SERIALIZE](instance) and [WORKFLOW_DESERIALIZE](data) methods (symbols exported by "hookline"), or [Symbol.for("hookline.serialize")] and [Symbol.for("hookline.deserialize")].`,
    );
  }
  const registry = classRegistry();
  registry.byName.set(name, cls as unknown as SerializableClass);
  registry.byClass.set(cls, name);
}

/**
 * What the compiler emits for a module-level class with the serialization methods, under
 * `class//<path>//<Name>` (as the Workflow SDK's compiler does): a class the app registered itself
 * keeps its own name.
 */
export function registerDeclaredClass(id: string, cls: abstract new (...args: never[]) => unknown): void {
  if (classRegistry().byClass.has(cls) || !serdeOf(cls)) return;
  registerSerializableClass(id, cls);
}
