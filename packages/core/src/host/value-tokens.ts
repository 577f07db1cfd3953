/**
 * Webhook tokens inside recorded values. A workflow may hand its webhook's URL to a step, get it
 * back from one, give it to a child run or return it; the raw token must still reach storage
 * nowhere (DESIGN §2). Before a run records a value, each token it knows is replaced by a marker
 * naming the hook, `[token:<runId>/<corr>/<keyId>]`; where code reads a value back (the workflow
 * on replay, a child's arguments, `Run.returnValue`) the token is rebuilt from the deployment
 * secret. Values only shown (the inspector, the CLI) keep their markers.
 *
 *   step_started.args: ["https://shop.example/.well-known/workflow/v1/webhook/[token:wrun_01…/o2/3f9a…]"]
 */
import type { TokenIssuer } from "./tokens.js";

const MARKER_START = "[token:";
const MARKER = /\[token:(wrun_[0-9A-Za-z]+)\/(o\d+)\/([0-9a-f]+)\]/g;

function markerOf(runId: string, corr: string, keyId: string): string {
  return `${MARKER_START}${runId}/${corr}/${keyId}]`;
}

/** `value` with `replace` applied to every string in it; the same object where nothing changed. */
function mapStrings(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === "string") return replace(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const mapped = mapStrings(value[i], replace);
      if (mapped === value[i]) continue;
      out ??= value.slice();
      out[i] = mapped;
    }
    return out ?? value;
  }
  // Plain objects only, from this realm or the workflow sandbox's (whose Object.prototype differs).
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const mapped = mapStrings(item, replace);
    if (mapped === item) continue;
    out ??= { ...value };
    out[key] = mapped;
  }
  return out ?? value;
}

/** Turns markers back into the tokens they name (without learning them). */
export function revealValueTokens<T>(issuer: TokenIssuer, value: T): T {
  return new ValueTokens(issuer).reveal(value);
}

/** The webhook tokens one run knows: its own hooks' and those revealed into its values. */
export class ValueTokens {
  readonly #issuer: TokenIssuer;
  /** Raw token → its marker. */
  readonly #markers = new Map<string, string>();

  constructor(issuer: TokenIssuer) {
    this.#issuer = issuer;
  }

  /** A webhook token of hook `corr` in `runId`, derived from the secret `keyId`. */
  know(token: string, runId: string, corr: string, keyId: string): void {
    if (token.length > 0) this.#markers.set(token, markerOf(runId, corr, keyId));
  }

  /** `value` with every known token replaced by its marker. */
  redact<T>(value: T): T {
    if (this.#markers.size === 0) return value;
    return mapStrings(value, (text) => {
      let out = text;
      for (const [token, marker] of this.#markers) if (out.includes(token)) out = out.split(token).join(marker);
      return out;
    }) as T;
  }

  /** `value` with every marker replaced by its token (one from a removed secret stays a marker); the tokens are known from then on. */
  reveal<T>(value: T): T {
    return mapStrings(value, (text) => {
      if (!text.includes(MARKER_START)) return text;
      return text.replace(MARKER, (marker, runId: string, corr: string, keyId: string) => {
        const token = this.#issuer.webhookToken(runId, corr, keyId);
        if (token === null) return marker;
        this.#markers.set(token, marker);
        return token;
      });
    }) as T;
  }
}
