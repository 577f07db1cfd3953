/**
 * Realm-independent type checks. A value may come from another vm context, where it is not an
 * `instanceof` this realm's classes; so types are told by internal slots (this realm's
 * intrinsics accept any realm's objects), `Object.prototype.toString` and prototype shape.
 * Checks that read a slot reject look-alikes that only fake `Symbol.toStringTag`.
 */
const toStringOf = Object.prototype.toString;
const getPrototypeOf = Object.getPrototypeOf;
const hasOwn = Object.hasOwn;

type Getter = (this: unknown) => unknown;
const getter = (target: object, key: PropertyKey): Getter =>
  Object.getOwnPropertyDescriptor(target, key)!.get as Getter;

const dateGetTime = Date.prototype.getTime;
const mapHas = Map.prototype.has;
const setHas = Set.prototype.has;
const regExpSource = getter(RegExp.prototype, "source");
const arrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const typedArrayTag = getter(getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag);

export const brandOf = (value: object): string => toStringOf.call(value);

/** True for any realm's `Object.prototype`: what object literals inherit from. */
export function isObjectPrototype(proto: object): boolean {
  return (
    proto === Object.prototype ||
    (getPrototypeOf(proto) === null && hasOwn(proto, "hasOwnProperty") && hasOwn(proto, "isPrototypeOf"))
  );
}

/** True when `proto` belongs to a built-in itself (its parent is Object.prototype), not to a subclass. */
export function isDirectInstance(proto: object): boolean {
  const parent = getPrototypeOf(proto) as object | null;
  return parent !== null && isObjectPrototype(parent);
}

export function isDate(value: object): boolean {
  return hasSlot(value, dateGetTime);
}

export function isMap(value: object): boolean {
  return hasSlot(value, mapHas);
}

export function isSet(value: object): boolean {
  return hasSlot(value, setHas);
}

export function isRegExp(value: object): boolean {
  return hasSlot(value, regExpSource);
}

export function isArrayBuffer(value: object): boolean {
  return hasSlot(value, arrayBufferByteLength);
}

/** True when `probe` (an intrinsic method or getter) accepts `value` as its receiver: it throws for objects without its slot. */
function hasSlot(value: object, probe: (this: unknown, key?: unknown) => unknown): boolean {
  try {
    probe.call(value, undefined);
    return true;
  } catch {
    return false;
  }
}

/** The typed array's real type ("Uint8Array" also for a Node Buffer), "DataView", or undefined. */
export function viewTypeOf(value: object): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  return (typedArrayTag.call(value) as string | undefined) ?? "DataView";
}

/**
 * True for errors of any realm, also those whose toStringTag is not "Error" (a DOMException,
 * a class overriding Symbol.toStringTag): some prototype on the chain is an Error.prototype.
 */
export function isError(value: object, brand: string): boolean {
  if (brand === "[object Error]") return true;
  let proto = getPrototypeOf(value) as object | null;
  for (let depth = 0; proto !== null && depth < 32; depth++) {
    // Error.prototype: own name "Error" and message, and inherits from Object.prototype.
    // (Read through the descriptor: a prototype's own getters may refuse the prototype itself.)
    if (
      hasOwn(proto, "message") &&
      Object.getOwnPropertyDescriptor(proto, "name")?.value === "Error" &&
      isDirectInstance(proto)
    ) {
      return true;
    }
    proto = getPrototypeOf(proto) as object | null;
  }
  return false;
}
