/**
 * Paths in error messages: `args[0].customer.socket`, `value.items[3]`, `value["odd key"]`,
 * `value.prices.<map value "eur">`, `value.<map key #2>`, `value.tags.<set value #1>`,
 * `value.price.<Money data>`, `value[Symbol(k)]`.
 *
 * The encoder keeps no path while it works (that is the hot path); a refusal is thrown as a
 * Rejection and each container it passes through on the way out adds its own segment.
 */
import { SerializationError } from "../errors.js";

/** A segment rendered as written (it carries its own `.` or `[`). */
export class Label {
  constructor(readonly text: string) {}
}

export type Segment = string | number | Label;

export class Rejection {
  /** Innermost segment first. */
  readonly segments: Segment[] = [];
  constructor(readonly reason: string) {}
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A path longer than HEAD + TAIL segments shows its first and last ones around how many were left out. */
const HEAD = 20;
const TAIL = 20;

export function renderPath(root: string, innermostFirst: readonly Segment[]): string {
  let out = root;
  const count = innermostFirst.length;
  for (let i = count - 1; i >= 0; i--) {
    if (count > HEAD + TAIL && i === count - 1 - HEAD) {
      out += `…(${count - HEAD - TAIL} more)…`;
      i = TAIL - 1;
    }
    const segment = innermostFirst[i]!;
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string")
      out += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    else out += segment.text;
  }
  return out;
}

/** Something thrown while a member was read or encoded, described for a message. */
export function describeThrown(thrown: unknown): string {
  try {
    if (typeof thrown === "object" && thrown !== null && typeof (thrown as Error).message === "string") {
      const name = (thrown as Error).name;
      return `${typeof name === "string" && name !== "Error" ? `${name}: ` : ""}${(thrown as Error).message}`;
    }
    return String(thrown);
  } catch {
    return "a value that cannot be printed";
  }
}

function asRejection(thrown: unknown): Rejection {
  if (thrown instanceof Rejection) return thrown;
  if (thrown instanceof RangeError && /call stack/i.test(thrown.message)) {
    return new Rejection(
      "it is nested too deeply to serialize (the call stack ran out). Flatten the data, or pass it as a string.",
    );
  }
  return new Rejection(`reading it threw: ${describeThrown(thrown)}`);
}

/** Adds `segment` to a refusal on its way out of a container; anything else thrown there was thrown reading the member. */
export function at(thrown: unknown, segment: Segment): Rejection {
  const rejection = asRejection(thrown);
  rejection.segments.push(segment);
  return rejection;
}

export function toSerializationError(thrown: unknown, root: string): SerializationError {
  const rejection = asRejection(thrown);
  const path = renderPath(root, rejection.segments);
  return new SerializationError(`Cannot serialize ${path}: ${rejection.reason}`, path);
}

/** `.<map value "eur">`; a key that is not a string, number or boolean is named by its entry's position. */
export function mapValueLabel(key: unknown, index: number): Label {
  return new Label(`.<map value ${keyText(key, index)}>`);
}

export function mapKeyLabel(index: number): Label {
  return new Label(`.<map key #${index}>`);
}

export function setValueLabel(index: number): Label {
  return new Label(`.<set value #${index}>`);
}

export function classDataLabel(name: string): Label {
  return new Label(`.<${name} data>`);
}

export function symbolKeyLabel(symbol: symbol): Label {
  return new Label(`[${String(symbol)}]`);
}

function keyText(key: unknown, index: number): string {
  switch (typeof key) {
    case "string":
      return JSON.stringify(key);
    case "number":
    case "boolean":
    case "bigint":
      return String(key) + (typeof key === "bigint" ? "n" : "");
    default:
      return key === null || key === undefined ? String(key) : `#${index}`;
  }
}
