import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptToken, encryptToken, keyIdOf, TokenDecryptionError } from "./token-crypto";

const current = { id: "k2", key: randomBytes(32) };
const previous = { id: "k1", key: randomBytes(32) };
const TOKEN = "1//0gRefreshTokenValue-abc_123";

describe("token encryption", () => {
  it("round-trips a token for the row it was sealed for", () => {
    const sealed = encryptToken(TOKEN, "account-1", [current]);
    expect(decryptToken(sealed, "account-1", [current])).toBe(TOKEN);
  });

  it("never contains the plaintext, and uses a fresh nonce every time", () => {
    const first = encryptToken(TOKEN, "account-1", [current]);
    const second = encryptToken(TOKEN, "account-1", [current]);
    expect(first).not.toContain(TOKEN);
    expect(first).not.toBe(second);
    expect(first.split(".")[2]).not.toBe(second.split(".")[2]);
  });

  it("names the key that sealed it, so rotation knows what to re-encrypt", () => {
    expect(keyIdOf(encryptToken(TOKEN, "a", [current, previous]))).toBe("k2");
  });

  it("still opens values sealed with an older key that is still configured", () => {
    const sealedWithOld = encryptToken(TOKEN, "account-1", [previous]);
    expect(decryptToken(sealedWithOld, "account-1", [current, previous])).toBe(TOKEN);
  });

  it("refuses a ciphertext copied onto another row", () => {
    const sealed = encryptToken(TOKEN, "account-1", [current]);
    expect(() => decryptToken(sealed, "account-2", [current])).toThrow(TokenDecryptionError);
  });

  it("refuses a tampered ciphertext", () => {
    const sealed = encryptToken(TOKEN, "account-1", [current]);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => decryptToken(parts.join("."), "account-1", [current])).toThrow(/authentication failed/);
  });

  it("explains a key that is no longer configured", () => {
    const sealed = encryptToken(TOKEN, "account-1", [previous]);
    expect(() => decryptToken(sealed, "account-1", [current])).toThrow(/key "k1" is not configured/);
  });

  it("refuses plaintext masquerading as a stored value", () => {
    expect(() => decryptToken(TOKEN, "account-1", [current])).toThrow(/not an Evergreen ciphertext/);
  });
});
