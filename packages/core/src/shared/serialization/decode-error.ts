/**
 * `{ "$t": "Error", … }` (see encode-error.ts) → an error of this realm. The error is numbered
 * before its members are decoded, as the encoder numbered it, so an error can be its own cause.
 * Fields are set as the language sets them: stack, cause and an AggregateError's `errors` are
 * non-enumerable; recorded props are enumerable.
 */
import type { DecodeState } from "./decode.js";
import { createError } from "./error-classes.js";
import { TAG } from "./format.js";

type Node = Record<string, unknown>;
type Decode = (node: unknown, s: DecodeState) => unknown;

export function decodeError(n: Node, s: DecodeState, decode: Decode): Error {
  const props = propsOf(n.props);
  const code = props?.code;
  const error = createError(
    String(n.name),
    String(n.message),
    n.hookline === true && typeof code === "string" ? code : undefined,
  );
  s.objects.push(error);
  if (typeof n.stack === "string") define(error, "stack", n.stack, false);
  if ("cause" in n) define(error, "cause", decode(n.cause, s), false);
  // The props object itself is not a recorded object: only its values are decoded (and numbered).
  if (props !== undefined) for (const key of Object.keys(props)) define(error, key, decode(props[key], s), true);
  if ("errors" in n) define(error, "errors", decode(n.errors, s), String(n.name) !== "AggregateError");
  return error;
}

/** Props, unwrapped when they were escaped for holding our tag key. */
function propsOf(props: unknown): Node | undefined {
  if (typeof props !== "object" || props === null) return undefined;
  const node = props as Node;
  return node[TAG] === "Object" ? (node.v as Node) : node;
}

function define(error: Error, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable });
}
