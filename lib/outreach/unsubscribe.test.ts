import { describe, expect, it } from "vitest";
import { originExempt } from "../http/request-guard";
import { maskAddress } from "./unsubscribe-page";
import {
  newUnsubscribeKey,
  parseUnsubscribeToken,
  publicOrigin,
  tokenRecipient,
  UNSUBSCRIBE_FOOTER,
  unsubscribeToken,
  unsubscribeUrl,
} from "./unsubscribe";

const SECRET = "test-only-secret-4a7c1e9b2d8f3a6c5e0b7d1f";
const OTHER_SECRET = "test-only-secret-9e2b5d8a1c4f7b0e3a6d9c2f";
const GRACE = "grace@example.com";
const ALAN = "alan@example.com";

const token = (key = newUnsubscribeKey(), email = GRACE, secret = SECRET) => unsubscribeToken(key, email, secret);
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("an unsubscribe link's token", () => {
  it("is a fresh 128-bit key and a signature, both base64url, naming no database id", () => {
    const keys = new Set(Array.from({ length: 50 }, newUnsubscribeKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(Buffer.from(key, "base64url")).toHaveLength(16);
    const made = token();
    expect(made).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(parseUnsubscribeToken(made)).toEqual({ key: made.slice(0, 22), signature: made.slice(23) });
  });

  it("round-trips to the recipient it was made for, among the message's To addresses, whatever their case", () => {
    const key = newUnsubscribeKey();
    expect(tokenRecipient(token(key), [GRACE], SECRET)).toBe(GRACE);
    expect(tokenRecipient(token(key, "Grace@Example.COM"), ["Grace Hopper <GRACE@example.com>"], SECRET)).toBe(GRACE);
    expect(tokenRecipient(token(key, ALAN), [GRACE, ALAN], SECRET)).toBe(ALAN);
  });

  it("fails when any one character is changed", () => {
    const made = token();
    for (let at = 0; at < made.length; at++) {
      for (const replacement of [alphabet[(alphabet.indexOf(made[at]!) + 1) % alphabet.length]!, "."]) {
        if (replacement === made[at]) continue;
        const tampered = made.slice(0, at) + replacement + made.slice(at + 1);
        expect(tokenRecipient(tampered, [GRACE], SECRET), `${at}: ${tampered}`).toBeUndefined();
      }
    }
  });

  it("is one recipient's: it does not unsubscribe another address of the same message", () => {
    const key = newUnsubscribeKey();
    expect(tokenRecipient(token(key, GRACE), [ALAN], SECRET)).toBeUndefined();
    // The signature of one address with the key of another message is no token either.
    const [, signature] = token(key, GRACE).split(".");
    expect(tokenRecipient(`${newUnsubscribeKey()}.${signature}`, [GRACE], SECRET)).toBeUndefined();
  });

  it("is worthless under another server secret", () => {
    const key = newUnsubscribeKey();
    expect(token(key, GRACE, OTHER_SECRET)).not.toBe(token(key, GRACE, SECRET));
    expect(tokenRecipient(token(key, GRACE, OTHER_SECRET), [GRACE], SECRET)).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["one character short", token().slice(1)],
    ["one character long", `${token()}A`],
    ["without the dot", token().replace(".", "A")],
    ["padded", `${token().slice(0, 65)}=`],
    ["not text", 42],
    ["enormous", "A".repeat(1_000_000)],
  ])("refuses a token that is %s before anything is looked up", (_, value) => {
    expect(parseUnsubscribeToken(value)).toBeNull();
    if (typeof value === "string") expect(tokenRecipient(value, [GRACE], SECRET)).toBeUndefined();
  });
});

describe("the link", () => {
  it("is the app's public origin, /u/ and the token, a path the request guard lets the provider POST to", () => {
    const url = new URL(unsubscribeUrl(newUnsubscribeKey(), GRACE, "https://crm.example.com"));
    expect(url.origin).toBe("https://crm.example.com");
    expect(url.pathname).toMatch(/^\/u\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(originExempt({ method: "POST", pathname: url.pathname })).toBe(true);
  });

  it("points at AUTH_URL's origin; without it at the development server, never in production", () => {
    expect(publicOrigin({ authUrl: "https://crm.example.com/app/", isProduction: true })).toBe(
      "https://crm.example.com",
    );
    expect(publicOrigin({ authUrl: undefined, isProduction: false })).toBe("http://localhost:3000");
    expect(publicOrigin({ authUrl: undefined, isProduction: true })).toBeNull();
    expect(() => unsubscribeUrl(newUnsubscribeKey(), GRACE, null)).toThrow("set AUTH_URL");
  });

  it("ends the body as a short plain-text footer", () => {
    expect(UNSUBSCRIBE_FOOTER("https://crm.example.com/u/t")).toBe("\n\n--\nUnsubscribe: https://crm.example.com/u/t");
  });

  it("shows the recipient's address on its page partly hidden", () => {
    expect(maskAddress("grace@example.com")).toBe("gr•••@example.com");
    expect(maskAddress("al@example.com")).toBe("a•••@example.com");
  });
});
