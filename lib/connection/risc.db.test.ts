import { createHash, randomBytes, randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { messageSeeder } from "@/test-support/seed-message";
import { RISC_EVENT_TYPES } from "../google/risc-stream";
import type { SecurityEventToken } from "../google/risc";
import { GMAIL_SEND_SCOPE } from "../google/oauth";
import { receiveSecurityEvent, SECURITY_EVENT_DETAIL, takeHijackingNotice } from "./risc";
import { applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./sign-in";
import { getConnection } from "./status";

// What each of Google's security events does to a connection (google-risc.md §3.5), on the real database.

const test = setupTestDatabase();
const seedMessage = messageSeeder(test);
let userId: string;
let sub: string;
let refreshToken: string;
let n = 0;

const ISS = "https://accounts.google.com";

function tokensFor(overrides: Partial<GoogleTokens> = {}): GoogleTokens {
  return {
    providerAccountId: sub,
    access_token: `ya29.${randomBytes(8).toString("hex")}`,
    refresh_token: refreshToken,
    expires_at: 2_000_000_000,
    token_type: "bearer",
    scope: `openid email ${GMAIL_SEND_SCOPE}`,
    ...overrides,
  };
}

beforeEach(async () => {
  n += 1;
  sub = `1${String(n).padStart(20, "0")}`;
  refreshToken = `1//0${randomBytes(40).toString("base64url")}`;
  userId = (await test.db.user.create({ data: { email: `risc${n}@evergreen.test` } })).id;
  await linkGoogleAccount({ ...tokensFor(), userId, type: "oidc", provider: "google" }, test.deps);
});

let issued = 0;
function event(type: string, members: Record<string, unknown> = {}, overrides: Partial<SecurityEventToken> = {}) {
  issued += 1;
  return {
    jti: randomUUID(),
    issuedAt: new Date(Date.now() + issued),
    type,
    event: { subject: { subject_type: "iss-sub", iss: ISS, sub }, ...members },
    ...overrides,
  } satisfies SecurityEventToken;
}
const tokenEvent = (alg: string, token: string) =>
  event(RISC_EVENT_TYPES.tokenRevoked, {
    subject: { subject_type: "oauth_token", token_type: "refresh_token", token_identifier_alg: alg, token },
  });

const connection = async () => (await getConnection(userId, test.deps))!;
const account = () =>
  test.db.account.findFirstOrThrow({ where: { userId }, omit: { refresh_token: false, access_token: false } });
const sessions = () => test.db.session.count({ where: { userId } });
const addSession = () =>
  test.db.session.create({
    data: { userId, sessionToken: randomBytes(16).toString("hex"), expires: new Date(Date.now() + 86_400_000) },
  });
const sha512 = (data: string | Buffer) => createHash("sha512").update(data).digest();

describe("tokens-revoked (the user removed Evergreen at Google)", () => {
  it("shows Reconnect needed with the cause, wipes the tokens and holds queued and scheduled mail", async () => {
    const queued = await seedMessage(userId, { to: ["a@example.com"], status: "QUEUED" });
    const scheduled = await seedMessage(userId, { to: ["b@example.com"], status: "QUEUED" });
    await test.db.message.update({
      where: { id: scheduled },
      data: { status: "SCHEDULED", sendAt: new Date(Date.now() + 86_400_000) },
    });

    expect(await receiveSecurityEvent(event(RISC_EVENT_TYPES.tokensRevoked), test.deps)).toEqual({
      duplicate: false,
      outcome: "reconnect needed for 1 of 1 account(s)",
    });

    const view = await connection();
    expect(view).toMatchObject({ status: "NEEDS_RECONNECT", reason: "REMOVED_AT_GOOGLE" });
    expect(view.events[0]).toMatchObject({ kind: "GOOGLE_SECURITY_EVENT" });
    expect(view.events[0]!.detail).toMatch(/removed at Google/);
    expect(await account()).toMatchObject({ refresh_token: null, access_token: null, refreshTokenHash: null });
    const held = await test.db.message.findMany({ where: { id: { in: [queued, scheduled] } } });
    expect(held.map((message) => message.status)).toEqual(["WAITING_FOR_RECONNECT", "WAITING_FOR_RECONNECT"]);
  });

  it("acts once for a resent event (same jti), recording one connection event", async () => {
    const set = event(RISC_EVENT_TYPES.tokensRevoked);
    await receiveSecurityEvent(set, test.deps);
    expect(await receiveSecurityEvent(set, test.deps)).toEqual({ duplicate: true });
    await Promise.all([receiveSecurityEvent(set, test.deps), receiveSecurityEvent(set, test.deps)]);
    expect(await test.db.connectionEvent.count({ where: { userId, kind: "GOOGLE_SECURITY_EVENT" } })).toBe(1);
    expect(await test.db.securityEvent.count({ where: { jti: set.jti } })).toBe(1);
  });

  it("leaves a grant alone that the user gave after the event was issued (a late event is about the old one)", async () => {
    const late = event(RISC_EVENT_TYPES.tokensRevoked, {}, { issuedAt: new Date(Date.now() - 60_000) });
    await receiveSecurityEvent(late, test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
  });

  it("leaves a connection the user disconnected as disconnected", async () => {
    await test.db.account.updateMany({
      where: { userId },
      data: { status: "DISCONNECTED", statusReason: "USER_DISCONNECTED" },
    });
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.tokensRevoked), test.deps);
    expect(await connection()).toMatchObject({ status: "DISCONNECTED", reason: "USER_DISCONNECTED" });
  });

  it("is accepted and ignored for a Google account Evergreen does not know", async () => {
    const stranger = event(RISC_EVENT_TYPES.tokensRevoked, {
      subject: { subject_type: "iss-sub", iss: ISS, sub: "999" },
    });
    expect(await receiveSecurityEvent(stranger, test.deps)).toMatchObject({
      outcome: expect.stringMatching(/^ignored/),
    });
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
  });

  it("is healed by a reconnect, which sends the held mail", async () => {
    const queued = await seedMessage(userId, { to: ["a@example.com"], status: "QUEUED" });
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.tokensRevoked), test.deps);
    refreshToken = `1//0${randomBytes(40).toString("base64url")}`;
    await applyGoogleSignIn(tokensFor(), {}, test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED", reason: null });
    expect((await test.db.message.findUniqueOrThrow({ where: { id: queued } })).status).toBe("QUEUED");
    expect((await account()).refreshTokenHash).toBe(sha512(sha512(refreshToken)).toString("base64"));
  });
});

describe("token-revoked (Google ended one refresh token)", () => {
  const inner = () => sha512(refreshToken);
  it.each([
    ["the double SHA-512, standard base64", () => sha512(inner()).toString("base64")],
    ["the double SHA-512, base64url without padding", () => sha512(inner()).toString("base64url")],
    ["the double SHA-512 as hex", () => sha512(inner()).toString("hex")],
    ["the double SHA-512 over a hex inner digest", () => sha512(inner().toString("hex")).toString("base64")],
  ])("finds the connection by %s", async (_, hash) => {
    await receiveSecurityEvent(tokenEvent("hash_base64_sha512_sha512", hash()), test.deps);
    expect(await connection()).toMatchObject({ status: "NEEDS_RECONNECT", reason: "REMOVED_AT_GOOGLE" });
  });

  it("finds the connection by the token's first 16 characters", async () => {
    await receiveSecurityEvent(tokenEvent("prefix", refreshToken.slice(0, 16)), test.deps);
    expect(await connection()).toMatchObject({ status: "NEEDS_RECONNECT", reason: "REMOVED_AT_GOOGLE" });
  });

  it.each([
    ["another token's hash", "hash_base64_sha512_sha512", sha512(sha512("1//0other")).toString("base64")],
    ["another prefix", "prefix", "1//0notthisone00"],
    ["an unknown algorithm", "sha256", () => refreshToken],
    ["a prefix of the wrong length", "prefix", () => refreshToken.slice(0, 15)],
  ])("changes nothing for %s", async (_, alg, token) => {
    const value = typeof token === "function" ? token() : token;
    expect(await receiveSecurityEvent(tokenEvent(alg, value), test.deps)).toMatchObject({ duplicate: false });
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
  });
});

describe("sessions-revoked", () => {
  it("ends every Evergreen session of that user and says why", async () => {
    await addSession();
    await addSession();
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.sessionsRevoked), test.deps);
    expect(await sessions()).toBe(0);
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
    expect((await connection()).events[0]).toMatchObject({ detail: SECURITY_EVENT_DETAIL.sessionsRevoked });
  });
});

describe("account-disabled and account-enabled", () => {
  it("ends sessions and holds sending with the reason, then lifting it resumes the held mail", async () => {
    await addSession();
    const queued = await seedMessage(userId, { to: ["a@example.com"], status: "QUEUED" });
    const disabled = event(RISC_EVENT_TYPES.accountDisabled, { reason: "hijacking" });
    await receiveSecurityEvent(disabled, test.deps);

    expect(await sessions()).toBe(0);
    expect(await connection()).toMatchObject({ status: "NEEDS_RECONNECT", reason: "ACCOUNT_DISABLED" });
    expect((await connection()).events[0]!.detail).toMatch(/hijacking/);
    expect(await account()).toMatchObject({ googleDisabledReason: "hijacking" });
    expect((await test.db.message.findUniqueOrThrow({ where: { id: queued } })).status).toBe("WAITING_FOR_RECONNECT");

    expect(await takeHijackingNotice(userId, test.deps)).toBe(false);

    await receiveSecurityEvent(event(RISC_EVENT_TYPES.accountEnabled), test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED", reason: null });
    expect(await account()).toMatchObject({ googleDisabledAt: null });
    // Back in, the user is told once why they were signed out.
    expect(await takeHijackingNotice(userId, test.deps)).toBe(true);
    expect(await takeHijackingNotice(userId, test.deps)).toBe(false);
    expect((await test.db.message.findUniqueOrThrow({ where: { id: queued } })).status).toBe("QUEUED");
  });

  it("ignores an older disabled event that arrives after a newer enabled one", async () => {
    const disabled = event(RISC_EVENT_TYPES.accountDisabled, { reason: "bulk-account" });
    const enabled = event(RISC_EVENT_TYPES.accountEnabled);
    await receiveSecurityEvent(enabled, test.deps);
    await receiveSecurityEvent(disabled, test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
  });

  it("does not make a connection that needs a reconnect for another cause look healthy on enable", async () => {
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.tokensRevoked), test.deps);
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.accountDisabled), test.deps);
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.accountEnabled), test.deps);
    expect(await connection()).toMatchObject({ status: "NEEDS_RECONNECT", reason: "REMOVED_AT_GOOGLE" });
  });
});

describe("notices and verification", () => {
  it("records a credential change as a notice without holding anything", async () => {
    await receiveSecurityEvent(event(RISC_EVENT_TYPES.accountCredentialChangeRequired), test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
    expect((await connection()).events[0]).toMatchObject({ detail: SECURITY_EVENT_DETAIL.credentialChange });
  });

  it("records a verification with its state", async () => {
    const state = randomUUID();
    const verification = event(RISC_EVENT_TYPES.verification, { state, subject: undefined });
    expect(await receiveSecurityEvent(verification, test.deps)).toMatchObject({ outcome: "verification received" });
    expect(await test.db.securityEvent.findUniqueOrThrow({ where: { jti: verification.jti } })).toMatchObject({
      state,
    });
  });

  it("accepts an event type it does not know and changes nothing", async () => {
    await receiveSecurityEvent(event("https://schemas.openid.net/secevent/risc/event-type/account-purged"), test.deps);
    expect(await connection()).toMatchObject({ status: "CONNECTED" });
  });
});
