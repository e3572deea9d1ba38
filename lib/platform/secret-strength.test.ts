import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeWeakKey, describeWeakSecret } from "./secret-strength";

const DRAWS = 2_000;

function draw<T>(generate: () => T): T[] {
  return Array.from({ length: DRAWS }, generate);
}

describe("AUTH_SECRET strength", () => {
  it.each([
    ["openssl rand -base64 32", () => randomBytes(32).toString("base64")],
    ["openssl rand -hex 32", () => randomBytes(32).toString("hex")],
    ["openssl rand -hex 16", () => randomBytes(16).toString("hex")],
    ["the generated local secret", () => randomBytes(32).toString("base64url")],
  ])("accepts every one of 2,000 values from %s", (_, generate) => {
    expect(draw(generate).filter((secret) => describeWeakSecret(secret))).toEqual([]);
  });

  it.each(["e2e-only-auth-secret-9f3Kq7Zx2Lm8Vb4Nc6Rt1Yw5Hs0Ue", "k3Jd9a0Qm2Zx7Lp5Vb8Nc1Rt6Yw4Hs0Ue3Gf"])(
    "accepts the fixed test secret %j",
    (secret) => expect(describeWeakSecret(secret)).toBeUndefined(),
  );

  it.each([
    ["changeme", "is shorter than 32 characters"],
    ["your-secret-here-your-secret-here-xx", "looks like a placeholder"],
    ["replace-me-with-a-long-random-value", "looks like a placeholder"],
    ["a".repeat(44), "uses too few different characters"],
    ["abc".repeat(11), "uses too few different characters"],
    ["aaaaaaaaaaaaaaaaaaaaaaaa12345678", "uses too few different characters"],
    ["0123456789abcdef0123456789abcdef", "repeats a short pattern"],
    ["passwordpasswordpasswordpassword", "repeats a short pattern"],
    ["abcdefghijklmnopqrstuvwxyzABCDEF", "is mostly runs like abcd, 1234 or qwerty"],
    ["qwertyuiopasdfghjklzxcvbnm123456", "is mostly runs like abcd, 1234 or qwerty"],
    ["zyxwvutsrqponmlkjihgfedcba987654", "is mostly runs like abcd, 1234 or qwerty"],
  ])("rejects %j: it %s", (secret, reason) => {
    expect(describeWeakSecret(secret)).toBe(reason);
  });
});

describe("encryption key strength", () => {
  it("accepts every one of 2,000 random 32-byte keys", () => {
    expect(draw(() => randomBytes(32)).filter((key) => describeWeakKey(key))).toEqual([]);
  });

  it("accepts the e2e key, 32 bytes of ASCII text", () => {
    expect(describeWeakKey(Buffer.from("evergreen-e2e-token-key-32-bytes"))).toBeUndefined();
  });

  const half = randomBytes(16);
  it.each([
    ["all zeros", Buffer.alloc(32), "all zero bytes"],
    ["one byte repeated", Buffer.alloc(32, 7), "every byte the same"],
    ["mostly zeros", Buffer.concat([Buffer.alloc(22), randomBytes(10)]), "too few distinct byte values"],
    ["16 random bytes twice", Buffer.concat([half, half]), "repeats a short byte pattern"],
    ["0, 1, 2, … 31", Buffer.from(Array.from({ length: 32 }, (_, index) => index)), "mostly sequential bytes"],
    ["255, 254, … 224", Buffer.from(Array.from({ length: 32 }, (_, index) => 255 - index)), "mostly sequential bytes"],
  ])("rejects %s", (_, key, reason) => {
    expect(describeWeakKey(key)).toBe(reason);
  });
});
