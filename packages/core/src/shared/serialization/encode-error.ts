/**
 * Errors → `{ "$t": "Error", name, message, stack?, hookline?, cause?, props?, errors? }`.
 * `hookline` marks a Hookline error (the brand from errors.ts) so decoding rebuilds the
 * matching Hookline class from `props.code`; `props` are the error's own enumerable fields
 * (code, retryAfter, status…); `errors` is an AggregateError's list. Members are encoded in
 * the order cause, props, errors, which decode-error.ts repeats.
 */
import type { EncodeState } from "./encode.js";
import { TAG } from "./format.js";
import { at } from "./path.js";
import { setOwn } from "./set-own.js";

const HOOKLINE_BRAND = Symbol.for("hookline.error");
const OWN_FIELDS = new Set(["name", "message", "stack", "cause"]);

type Encode = (value: unknown, s: EncodeState) => unknown;

export function encodeError(error: Error, s: EncodeState, encode: Encode): unknown {
  const node: Record<string, unknown> = { $t: "Error", name: String(error.name), message: String(error.message) };
  const stack = error.stack;
  if (typeof stack === "string") node.stack = stack;
  if ((error as unknown as Record<symbol, unknown>)[HOOKLINE_BRAND] === true) node.hookline = true;
  if ("cause" in error) {
    try {
      node.cause = encode(error.cause, s);
    } catch (thrown) {
      throw at(thrown, "cause");
    }
  }
  let props: Record<string, unknown> | undefined;
  let key = "";
  try {
    for (key of Object.keys(error)) {
      if (OWN_FIELDS.has(key)) continue;
      props ??= {};
      const value = encode((error as unknown as Record<string, unknown>)[key], s);
      setOwn(props, key, value);
    }
  } catch (thrown) {
    throw at(thrown, key);
  }
  if (props !== undefined) node.props = Object.hasOwn(props, TAG) ? { $t: "Object", v: props } : props;
  // AggregateError's own (non-enumerable) list; an enumerable `errors` field is in props.
  if (!Object.prototype.propertyIsEnumerable.call(error, "errors")) {
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      try {
        node.errors = encode(errors, s);
      } catch (thrown) {
        throw at(thrown, "errors");
      }
    }
  }
  return node;
}
