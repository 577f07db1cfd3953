/**
 * A webhook's raw token never reaches storage: wherever it occurs in what is recorded of a
 * request (its URL and query string, any header value, a dedupe key) it is replaced by
 * REDACTED_TOKEN, also when it arrives percent-encoded. Code that may see the real URL (the
 * workflow, a step) gets it back with revealToken, the token rebuilt from the deployment secret.
 * Plain string work only: this runs on both sides of the vm boundary.
 */
export const REDACTED_TOKEN = "[token]";

const ENCODED_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** Decodes every valid run of %XX escapes, leaving malformed ones as they are. */
function percentDecode(text: string): string {
  return text.replace(ENCODED_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** `text` with every occurrence of `token` replaced, in plain or (up to three times) percent-encoded form. */
export function redactToken(text: string, token: string): string {
  // Shorter than the token: it cannot hold it, plain or percent-encoded (most header values).
  if (token.length === 0 || text.length < token.length) return text;
  let out = text.split(token).join(REDACTED_TOKEN);
  for (let round = 0; round < 3 && out.includes("%"); round++) {
    const decoded = percentDecode(out);
    if (decoded === out) break;
    if (decoded.includes(token)) out = decoded.split(token).join(REDACTED_TOKEN);
  }
  return out;
}

/** The recorded request's headers with the token redacted from every value. */
export function redactHeaders(headers: Iterable<[string, string]>, token: string): [string, string][] {
  return [...headers].map(([name, value]) => [name, redactToken(value, token)]);
}

/** `text` as it was received: the redaction marker replaced by the real token. */
export function revealToken(text: string, token: string): string {
  return text.split(REDACTED_TOKEN).join(token);
}
