/**
 * Recorded values as a person reads them: decoded (dates, maps, errors, requests …), then
 * pretty-printed as JSON-like text. Long text is cut at PREVIEW characters with the rest
 * behind a <details> (up to MAX_SHOWN), so a 5 MB step output cannot stall the page.
 */
import { deserialize, stepRefOf } from "@hookline/core/runtime";
import { type Html, html } from "./html.js";

const PREVIEW = 2_000;
const MAX_SHOWN = 200_000;

export function decode(serialized: unknown): unknown {
  try {
    return deserialize(serialized);
  } catch {
    return serialized;
  }
}

/** A plain, JSON-safe picture of a decoded value. */
export function plain(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (value === undefined) return "[undefined]";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") {
    // A step function passed as a value: which step it calls.
    const step = stepRefOf(value);
    return step ? `[step ${step.id.split("//").pop()}]` : "[function]";
  }
  if (typeof value === "symbol") return "[symbol]";
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth > 20) return "[too deep]";
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? "[invalid date]" : value.toISOString();
    if (value instanceof Error) return errorPlain(value, depth, seen);
    if (value instanceof Map)
      return { "[Map]": [...value].map(([k, v]) => [plain(k, depth + 1, seen), plain(v, depth + 1, seen)]) };
    if (value instanceof Set) return { "[Set]": [...value].map((v) => plain(v, depth + 1, seen)) };
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value))
      return `[${value.constructor.name}, ${value.byteLength} bytes]`;
    if (typeof Request !== "undefined" && value instanceof Request) {
      return { "[Request]": { method: value.method, url: value.url, headers: [...value.headers] } };
    }
    if (typeof Response !== "undefined" && value instanceof Response) {
      return { "[Response]": { status: value.status, headers: [...value.headers] } };
    }
    if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = plain(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorPlain(error: Error, depth: number, seen: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = plain(error.cause, depth + 1, seen);
  return out;
}

export function pretty(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    const head = value.stack ?? `${value.name}: ${value.message}`;
    return `${head}${code === undefined ? "" : `\ncode: ${String(code)}`}${value.cause === undefined ? "" : `\ncause: ${pretty(value.cause)}`}`;
  }
  const shown = plain(value);
  return typeof shown === "string" ? shown : (JSON.stringify(shown, null, 2) ?? String(shown));
}

/** A recorded value, decoded and pretty-printed; truncated with a way to expand. */
export function valueBlock(serialized: unknown): Html {
  return textBlock(pretty(decode(serialized)));
}

export function textBlock(text: string): Html {
  if (text.length <= PREVIEW) return html`<pre class="value">${text}</pre>`;
  const full =
    text.length > MAX_SHOWN
      ? `${text.slice(0, MAX_SHOWN)}\n… (${text.length - MAX_SHOWN} more characters not shown)`
      : text;
  return html`<pre class="value">${text.slice(0, PREVIEW)}…</pre>
<details class="expand"><summary>Show all ${text.length.toLocaleString("en")} characters</summary><pre class="value">${full}</pre></details>`;
}

/** One line, for tables. */
export function oneLine(serialized: unknown, max = 80): string {
  const text = JSON.stringify(plain(decode(serialized))) ?? "";
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
