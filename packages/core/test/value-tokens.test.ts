/**
 * Webhook tokens inside recorded values (host/value-tokens.ts): a run's values are recorded with
 * markers in place of its tokens and read back whole, values made inside the workflow sandbox
 * included; a marker whose secret was removed stays a marker.
 */
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { TokenIssuer } from "../src/host/tokens.js";
import { ValueTokens } from "../src/host/value-tokens.js";

const CURRENT = "value-tokens-current-secret-0123456789abcdef";
const OLD = "value-tokens-previous-secret-0123456789abcdef";
const RUN = "wrun_01KTESTVALUETOKENS00000000";

describe("webhook tokens in recorded values", () => {
  const issuer = new TokenIssuer([CURRENT, OLD]);
  const token = issuer.webhookToken(RUN, "o1")!;
  const url = `https://shop.example/.well-known/workflow/v1/webhook/${token}`;

  test("redacts every known token, in arrays and in objects made in the sandbox, and reveals it back", () => {
    const tokens = new ValueTokens(issuer);
    tokens.know(token, RUN, "o1", issuer.currentKeyId);
    const fromSandbox = runInNewContext(
      `({ to: [url, { note: "pay at " + url + "?again=" + token }], amount: 12, at: null })`,
      { url, token },
    );
    const recorded = tokens.redact(fromSandbox);
    const text = JSON.stringify(recorded);
    expect(text).not.toContain(token);
    expect(text.split(`[token:${RUN}/o1/${issuer.currentKeyId}]`)).toHaveLength(4);
    expect(recorded.amount).toBe(12);
    // A fresh reader (another process, a child run) rebuilds it from the secret alone.
    expect(new ValueTokens(issuer).reveal(recorded)).toEqual(JSON.parse(JSON.stringify(fromSandbox)));
  });

  test("leaves values without tokens untouched, and class instances alone", () => {
    const tokens = new ValueTokens(issuer);
    const value = { list: ["a", url] };
    expect(tokens.redact(value)).toBe(value);
    tokens.know(token, RUN, "o1", issuer.currentKeyId);
    const bytes = new Uint8Array([1, 2, 3]);
    const date = new Date(0);
    const plain = { bytes, date, text: "no token here" };
    expect(tokens.redact(plain)).toBe(plain);
  });

  test("a revealed token is known from then on: the value travels on redacted", () => {
    const marked = new ValueTokens(issuer);
    marked.know(token, RUN, "o1", issuer.currentKeyId);
    const recorded = marked.redact({ url });
    const child = new ValueTokens(issuer);
    const seen = child.reveal(recorded);
    expect(seen.url).toBe(url);
    expect(child.redact({ again: seen.url })).toEqual({ again: recorded.url });
  });

  test("a token from an older secret is rebuilt while that secret is configured, and stays a marker once it is removed", () => {
    const oldIssuer = new TokenIssuer([OLD]);
    const oldToken = oldIssuer.webhookToken(RUN, "o2")!;
    const writer = new ValueTokens(oldIssuer);
    writer.know(oldToken, RUN, "o2", oldIssuer.currentKeyId);
    const recorded = writer.redact(`see ${oldToken}`);
    expect(new ValueTokens(issuer).reveal(recorded)).toBe(`see ${oldToken}`);
    expect(new ValueTokens(new TokenIssuer([CURRENT])).reveal(recorded)).toBe(recorded);
  });
});
