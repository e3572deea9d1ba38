import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { base64url, exportJWK, SignJWT, type JWK } from "jose";
import { createSetVerifier, type SetVerifier } from "./risc";

// The receiver's verification against a Google stand-in that serves only what Google's RISC discovery
// document and JWKS would: a key Google signs with, and what forgers try instead.

const AUDIENCE = "evergreen-test.apps.googleusercontent.com";
const TOKENS_REVOKED = "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked";

type Key = { kid: string; privateKey: KeyObject; jwk: JWK };
function rsaKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID().replace(/-/g, "");
  return { kid, privateKey, jwk: { ...publicKeyJwk(publicKey), kid, alg: "RS256", use: "sig" } };
}
function publicKeyJwk(publicKey: KeyObject): JWK {
  const { kty, n, e } = publicKey.export({ format: "jwk" });
  return { kty, n, e };
}

let server: Server;
let base: string;
let published: Key[];
let issuer: string;
let jwksFetches = 0;
const google = rsaKey();

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("Content-Type", "application/json");
    if (req.url === "/.well-known/risc-configuration")
      return res.end(JSON.stringify({ issuer, jwks_uri: `${base}/oauth2/v3/certs` }));
    if (req.url === "/oauth2/v3/certs") {
      jwksFetches += 1;
      return res.end(JSON.stringify({ keys: published.map((key) => key.jwk) }));
    }
    res.statusCode = 404;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let verifier: SetVerifier;
beforeEach(() => {
  published = [google];
  issuer = "https://accounts.google.com";
  jwksFetches = 0;
  verifier = createSetVerifier({ configurationUrl: `${base}/.well-known/risc-configuration`, audiences: [AUDIENCE] });
});

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: "https://accounts.google.com/",
  aud: AUDIENCE,
  iat: Math.floor(Date.now() / 1000),
  jti: randomUUID(),
  events: { [TOKENS_REVOKED]: { subject: { subject_type: "iss-sub", iss: "https://accounts.google.com/", sub: "1" } } },
  ...overrides,
});
const signed = (key: Key = google, payload = claims(), header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: key.kid, ...header }).sign(key.privateKey);
const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

describe("a SET Google signed", () => {
  it("is accepted, with Google's issuer with or without its trailing slash, no exp and no typ", async () => {
    const verdict = await verifier.verify(await signed());
    expect(verdict).toMatchObject({ ok: true, set: { type: TOKENS_REVOKED, event: { subject: { sub: "1" } } } });
  });

  it("is accepted with an exp in the past: a SET reports something that already happened", async () => {
    const token = await signed(google, claims({ exp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
  });

  it("is accepted when aud is a list that includes our client", async () => {
    expect(await verifier.verify(await signed(google, claims({ aud: ["other", AUDIENCE] })))).toMatchObject({
      ok: true,
    });
  });

  it("signed with a key Google rotated in since the last fetch is accepted after one refetch", async () => {
    verifier = createSetVerifier({
      configurationUrl: `${base}/.well-known/risc-configuration`,
      audiences: [AUDIENCE],
      jwksCooldownMs: 0,
    });
    await verifier.verify(await signed());
    const rotated = rsaKey();
    published = [google, rotated];
    expect(await verifier.verify(await signed(rotated))).toMatchObject({ ok: true });
    expect(jwksFetches).toBe(2);
  });
});

describe("a forged or broken SET is refused with RFC 8935's error", () => {
  it.each([
    ["signed with another key under Google's kid", async () => signed({ ...rsaKey(), kid: google.kid }), "invalid_key"],
    ["with alg none", async () => `${segment({ alg: "none" })}.${segment(claims())}.`, "invalid_request"],
    [
      "with alg none and a signature part",
      async () => `${segment({ alg: "none", kid: google.kid })}.${segment(claims())}.c2ln`,
      "invalid_key",
    ],
    [
      "HS256 keyed with Google's public key",
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: "HS256", kid: google.kid })
          .sign(new TextEncoder().encode(JSON.stringify(google.jwk))),
      "invalid_key",
    ],
    ["for another app's client", async () => signed(google, claims({ aud: "someone-else" })), "invalid_audience"],
    ["from another issuer", async () => signed(google, claims({ iss: "https://evil.example" })), "invalid_issuer"],
    ["without a jti", async () => signed(google, claims({ jti: undefined })), "invalid_request"],
    ["without an event", async () => signed(google, claims({ events: {} })), "invalid_request"],
    ["that is not a JWT", async () => "hello", "invalid_request"],
    [
      "with a header that is not JSON",
      async () => `${base64url.encode("{")}.${segment(claims())}.c2ln`,
      "invalid_request",
    ],
    ["with a payload that is not JSON", async () => tamper(await signed()), "invalid_key"],
  ])("%s", async (_, token, err) => {
    const verdict = await verifier.verify(await token());
    expect(verdict).toMatchObject({ ok: false, refusal: { err } });
  });

  it("signed with a kid Google never published: refused, and forgeries cannot make it refetch more than once", async () => {
    await verifier.verify(await signed());
    const stranger = rsaKey();
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect(await verifier.verify(await signed(stranger))).toMatchObject({
        ok: false,
        refusal: { err: "invalid_key" },
      });
    expect(jwksFetches).toBeLessThanOrEqual(2);
  });

  it("that is not an object under a valid signature", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: google.kid })
      .sign(google.privateKey)
      .then((jwt) => jwt);
    expect(await verifier.verify(token)).toMatchObject({ ok: false });
  });
});

// The payload changed after signing: the signature no longer matches.
function tamper(token: string): string {
  const [header, , signature] = token.split(".");
  return `${header}.${segment({ ...claims(), aud: AUDIENCE, extra: true })}.${signature}`;
}

describe("when Google's keys cannot be fetched", () => {
  it("throws (the receiver answers 503 so Google retries) instead of refusing a SET that may be valid", async () => {
    const unreachable = createSetVerifier({
      configurationUrl: "http://127.0.0.1:9/.well-known/risc-configuration",
      audiences: [AUDIENCE],
    });
    await expect(unreachable.verify(await signed())).rejects.toThrow(/keys could not be fetched/);
  });
});
