import { describe, expect, it } from "vitest";
import {
  MAX_SKEW_MS,
  SIGNATURE_HEADER,
  signInternalRequest,
  TIMESTAMP_HEADER,
  verifyInternalRequest,
} from "../src/internal-auth.js";

const SECRET = "a".repeat(40);
const OTHER = "b".repeat(40);
const BODY = JSON.stringify({ reason: "boot" });

describe("internal request signatures", () => {
  it("accept a request signed with the deployment secret", () => {
    const headers = new Headers(signInternalRequest([SECRET], "flow", BODY));
    expect(verifyInternalRequest([SECRET], "flow", headers, BODY)).toEqual({ ok: true });
  });

  it("accept the previous secret while it is still configured (rotation)", () => {
    const headers = new Headers(signInternalRequest([OTHER], "flow", BODY));
    expect(verifyInternalRequest([SECRET, OTHER], "flow", headers, BODY).ok).toBe(true);
  });

  it("refuse unsigned, wrongly signed, stale, replayed-elsewhere and tampered requests", () => {
    expect(verifyInternalRequest([SECRET], "flow", new Headers(), BODY)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not signed/),
    });
    const wrong = new Headers(signInternalRequest([OTHER], "flow", BODY));
    expect(verifyInternalRequest([SECRET], "flow", wrong, BODY)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature/),
    });
    const old = Date.now() - MAX_SKEW_MS - 1_000;
    const stale = new Headers(signInternalRequest([SECRET], "flow", BODY, old));
    expect(verifyInternalRequest([SECRET], "flow", stale, BODY)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/timestamp/),
    });
    const future = new Headers(signInternalRequest([SECRET], "flow", BODY, Date.now() + MAX_SKEW_MS + 1_000));
    expect(verifyInternalRequest([SECRET], "flow", future, BODY).ok).toBe(false);
    const forFlow = new Headers(signInternalRequest([SECRET], "flow", BODY));
    expect(verifyInternalRequest([SECRET], "step", forFlow, BODY).ok).toBe(false);
    expect(verifyInternalRequest([SECRET], "flow", forFlow, `${BODY} `).ok).toBe(false);
    const garbled = new Headers({ [TIMESTAMP_HEADER]: "soon", [SIGNATURE_HEADER]: "x" });
    expect(verifyInternalRequest([SECRET], "flow", garbled, BODY).ok).toBe(false);
  });
});
