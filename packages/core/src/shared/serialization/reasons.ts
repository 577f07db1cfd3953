/** Why a value is refused, and what to do instead: the second half of a SerializationError's message. */

const HINTS: Record<string, string> = {
  Promise: "Await it and pass its result.",
  WeakMap: "Its entries cannot be read; use a Map.",
  WeakSet: "Its entries cannot be read; use a Set.",
  WeakRef: "Pass the object it refers to.",
  Generator: "Collect its values into an array first.",
  AsyncGenerator: "Collect its values into an array first.",
  Blob: "Pass its bytes (await blob.arrayBuffer()) instead.",
  File: "Pass its bytes (await file.arrayBuffer()) and name instead.",
  FormData: "Pass its entries as plain data instead.",
  URLSearchParams: "Pass its string (params.toString()) instead.",
  SharedArrayBuffer: "Copy its bytes into an ArrayBuffer or a Uint8Array.",
};

const REGISTER = "Pass plain data, or register the class with registerSerializableClass().";

/** "an Error", "an Unknown", but "a Euro", "a URL", "a Uint8Array", "a User". */
function article(name: string): string {
  return /^(?:[AIO]|E(?!u)|Un(?!i))/i.test(name) ? "an" : "a";
}

function constructorName(proto: object | null): string | undefined {
  if (proto === null || !Object.hasOwn(proto, "constructor")) return undefined;
  try {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `a Socket class instance is not serializable…`; `builtin` names what it extends (a Map subclass). */
export function classInstanceReason(proto: object | null, builtin?: string): string {
  const name = constructorName(proto);
  const what = name ? `${article(name)} ${name} class instance` : "an object with a custom prototype";
  const extending = builtin && name !== builtin ? ` (${article(builtin)} ${builtin} subclass)` : "";
  return `${what}${extending} is not serializable. ${REGISTER}`;
}

export function unsupportedReason(proto: object | null, brand: string): string {
  const tag = brand.slice(8, -1);
  const hint = HINTS[tag];
  if (hint !== undefined) return `${article(tag)} ${tag} is not serializable. ${hint}`;
  // A type tagged with its own name (a stream, a boxed primitive) is a platform type; anything
  // else is a user class, also one that borrows a built-in's tag.
  if (tag !== "Object" && constructorName(proto) === tag)
    return `${article(tag)} ${tag} is not serializable. Pass plain data instead.`;
  return classInstanceReason(proto);
}
