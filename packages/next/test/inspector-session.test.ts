import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "../src/inspector/html.js";
import {
  accessFromEnv,
  csrfToken,
  newSession,
  sameOrigin,
  sameToken,
  validCsrf,
  validSession,
} from "../src/inspector/session.js";
import { textBlock } from "../src/inspector/values.js";

const SECRET = "s".repeat(64);

describe("inspector access", () => {
  it("is open only in next dev, hidden in production without a token, behind it with one", () => {
    expect(accessFromEnv({ HOOKLINE_NEXT_DEV: "1" })).toEqual({ kind: "open" });
    expect(accessFromEnv({ NODE_ENV: "development" })).toEqual({ kind: "hidden" });
    expect(accessFromEnv({ HOOKLINE_NEXT_DEV: "0", HOOKLINE_INSPECTOR_TOKEN: "t" })).toEqual({
      kind: "token",
      token: "t",
    });
  });

  it("compares tokens of any length", () => {
    expect(sameToken("abc", "abc")).toBe(true);
    expect(sameToken("abc", "abcd")).toBe(false);
    expect(sameToken("", "abc")).toBe(false);
  });

  it("accepts a session signed by a current secret, for the current token, until it expires", () => {
    const now = 1_000_000;
    const session = newSession(SECRET, "token", now);
    expect(validSession(session, [SECRET], "token", now + 1000)).toBe(true);
    expect(validSession(session, ["other".repeat(13), SECRET], "token", now)).toBe(true);
    expect(validSession(session, [SECRET], "changed-token", now)).toBe(false);
    expect(validSession(session, ["x".repeat(64)], "token", now)).toBe(false);
    expect(validSession(session, [SECRET], "token", now + 13 * 3600_000)).toBe(false);
    expect(validSession(`${Number(session.split(".")[0]) + 1}.${session.split(".")[1]}`, [SECRET], "token", now)).toBe(
      false,
    );
    expect(validSession(undefined, [SECRET], "token", now)).toBe(false);
  });

  it("binds the CSRF token to the session", () => {
    const a = newSession(SECRET, "token");
    expect(validCsrf(csrfToken(SECRET, a), [SECRET], a)).toBe(true);
    expect(validCsrf(csrfToken(SECRET, "other"), [SECRET], a)).toBe(false);
    expect(validCsrf(null, [SECRET], a)).toBe(false);
  });

  it("takes a POST as same-origin only when Origin (or Referer) names the Host", () => {
    const req = (headers: Record<string, string>) => new Request("http://app.test/x", { method: "POST", headers });
    expect(sameOrigin(req({ host: "app.test", origin: "http://app.test" }))).toBe(true);
    expect(sameOrigin(req({ host: "app.test", origin: "https://evil.test" }))).toBe(false);
    expect(sameOrigin(req({ host: "app.test", origin: "null" }))).toBe(false);
    expect(sameOrigin(req({ host: "app.test", referer: "http://app.test/page" }))).toBe(true);
    expect(sameOrigin(req({ host: "app.test" }))).toBe(false);
  });
});

describe("inspector HTML", () => {
  it("escapes every interpolated value", () => {
    expect(html`<p title="${'"><script>'}">${"<b>&"}</p>`.text).toBe(
      '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;</p>',
    );
    expect(escapeHtml("'")).toBe("&#39;");
  });

  it("cuts long values with a way to see all of them", () => {
    const block = textBlock("<".repeat(5000)).text;
    expect(block).toContain("Show all 5,000 characters");
    expect(block).not.toContain("<<");
  });
});
