import { describe, expect, it } from "vitest";
import { LoginLimiter } from "../src/inspector/login-limit.js";

describe("the inspector's login limit", () => {
  it("blocks an address after 5 wrong tokens until its minute ends, and no other address", () => {
    const limit = new LoginLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) limit.failed("a", t0 + i);
    expect(limit.blocked("a", t0 + 10)).toBe(0);
    limit.failed("a", t0 + 10);
    expect(limit.blocked("a", t0 + 10)).toBe(60);
    expect(limit.blocked("a", t0 + 30_500)).toBe(30);
    expect(limit.blocked("b", t0 + 10)).toBe(0);
    expect(limit.blocked("a", t0 + 60_000)).toBe(0);
    limit.failed("a", t0 + 60_000);
    expect(limit.blocked("a", t0 + 60_001)).toBe(0);
  });
});
