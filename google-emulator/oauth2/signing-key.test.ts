import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { accessTokenHash, generateSigningKey } from "./signing-key";

describe("signing key", () => {
  // RFC 7518 §6.3.1: n and e are unsigned big-endian in the fewest octets, base64url without padding.
  it("the JWK's n is the whole 2048-bit modulus with no leading zero byte, and e is AQAB", () => {
    const key = generateSigningKey();
    const { n = "", e } = key.publicJwk;
    const modulus = Buffer.from(n, "base64url");
    expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(modulus).toHaveLength(256);
    expect(modulus[0]).toBeGreaterThanOrEqual(0x80);
    expect(e).toBe("AQAB");
    expect(createPublicKey({ key: key.publicJwk, format: "jwk" }).equals(createPublicKey(key.privateKey))).toBe(true);
  });

  it("at_hash matches OpenID Connect Core's own example (Appendix A.4)", () => {
    expect(accessTokenHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")).toBe("77QmUPtjPfzWtF2AnpK9RQ");
  });
});
