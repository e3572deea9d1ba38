import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test-support/test-database";
import { applyGoogleSignIn, createTokenVault, disconnectGmail, getConnection, linkGoogleAccount, retryPendingRevocations, type ConnectionDeps, type GoogleTokens } from "./connection";
import { GMAIL_SEND_SCOPE } from "./google/oauth";

const FULL_SCOPE = `openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile ${GMAIL_SEND_SCOPE}`;
const SIGN_IN_ONLY = "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile";

let test: TestDatabase;
let deps: ConnectionDeps;
let userId: string;
let subject = 0;

beforeAll(async () => {
  test = await createTestDatabase();
  deps = { db: test.db, vault: createTokenVault([{ id: "k1", key: randomBytes(32) }]) };
});
afterAll(() => test?.drop());

function googleTokens(overrides: Partial<GoogleTokens> = {}): GoogleTokens {
  return {
    providerAccountId: String(subject),
    access_token: `ya29.access-${randomBytes(4).toString("hex")}`,
    refresh_token: `1//0refresh-${randomBytes(4).toString("hex")}`,
    id_token: "eyJ.header.payload",
    expires_at: 2_000_000_000,
    token_type: "bearer",
    scope: FULL_SCOPE,
    ...overrides,
  };
}

async function firstSignIn(tokens: GoogleTokens) {
  await linkGoogleAccount(deps, { ...tokens, userId, type: "oidc", provider: "google" });
}

async function storedTokens() {
  return test.db.account.findFirstOrThrow({
    where: { userId },
    select: { id: true, refresh_token: true, access_token: true, id_token: true, status: true, statusReason: true },
  });
}

beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `user${subject}@evergreen.test` } })).id;
});

describe("the first sign-in", () => {
  it("connects and stores every token encrypted, bound to the account row", async () => {
    const tokens = googleTokens();
    await firstSignIn(tokens);
    const row = await storedTokens();
    expect(row.status).toBe("CONNECTED");
    expect(row.refresh_token).not.toContain(tokens.refresh_token);
    expect(deps.vault.open(row.refresh_token!, row.id)).toBe(tokens.refresh_token);
    expect(deps.vault.open(row.access_token!, row.id)).toBe(tokens.access_token);
    expect(deps.vault.open(row.id_token!, row.id)).toBe(tokens.id_token);
    const connection = await getConnection(test.db, userId);
    expect(connection?.events.map((event) => event.kind)).toEqual(["CONNECTED"]);
  });

  it("with no refresh token from Google needs a reconnect at once, not in an hour", async () => {
    await firstSignIn(googleTokens({ refresh_token: undefined }));
    const connection = await getConnection(test.db, userId);
    expect(connection).toMatchObject({ status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" });
    expect(connection?.events.map((event) => event.kind)).toEqual(expect.arrayContaining(["CONNECTED", "REFRESH_TOKEN_MISSING"]));
  });

  it("without gmail.send granted is missing its scope and says so", async () => {
    await firstSignIn(googleTokens({ scope: SIGN_IN_ONLY }));
    const connection = await getConnection(test.db, userId);
    expect(connection).toMatchObject({ status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" });
    expect(connection?.grantedScopes).not.toContain(GMAIL_SEND_SCOPE);
    expect(connection?.events[0]?.kind).toBe("SCOPE_MISSING");
  });
});

describe("signing in again", () => {
  it("replaces the access token and keeps the refresh token when Google sends none", async () => {
    const first = googleTokens();
    await firstSignIn(first);
    const second = googleTokens({ refresh_token: undefined });
    await applyGoogleSignIn(deps, second);
    const row = await storedTokens();
    expect(deps.vault.open(row.access_token!, row.id)).toBe(second.access_token);
    expect(deps.vault.open(row.refresh_token!, row.id)).toBe(first.refresh_token);
    expect(row.status).toBe("CONNECTED");
  });

  it("replaces the refresh token when Google sends a new one", async () => {
    await firstSignIn(googleTokens());
    const second = googleTokens();
    const outcome = await applyGoogleSignIn(deps, second);
    const row = await storedTokens();
    expect(deps.vault.open(row.refresh_token!, row.id)).toBe(second.refresh_token);
    expect(outcome?.events).toEqual(["SIGNED_IN"]);
  });

  it("with the scope ticked this time reconnects a missing-scope account", async () => {
    await firstSignIn(googleTokens({ scope: SIGN_IN_ONLY }));
    const outcome = await applyGoogleSignIn(deps, googleTokens());
    expect(outcome).toMatchObject({ status: "CONNECTED", reason: null, events: ["RECONNECTED"] });
  });

  it("does not trust a stored refresh token Google has already refused", async () => {
    await firstSignIn(googleTokens());
    await test.db.account.updateMany({ where: { userId }, data: { status: "NEEDS_RECONNECT", statusReason: "REVOKED" } });
    const outcome = await applyGoogleSignIn(deps, googleTokens({ refresh_token: undefined }));
    expect(outcome).toMatchObject({ status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" });
  });

  it("is ignored for an account Auth.js has not linked yet", async () => {
    expect(await applyGoogleSignIn(deps, googleTokens({ providerAccountId: "not-linked" }))).toBeNull();
  });
});

describe("disconnect", () => {
  it("revokes the refresh token at Google, wipes every token and records both", async () => {
    const tokens = googleTokens();
    await firstSignIn(tokens);
    const revoked: string[] = [];
    expect(await disconnectGmail(deps, userId, async (token) => revoked.push(token))).toBe("revoked");
    expect(revoked).toEqual([tokens.refresh_token]);
    expect(await storedTokens()).toMatchObject({ refresh_token: null, access_token: null, id_token: null, status: "DISCONNECTED" });
    const kinds = (await getConnection(test.db, userId))?.events.map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["DISCONNECTED", "REVOKE_SUCCEEDED"]));
  });

  it("when Google is unreachable, still disconnects and keeps the token only to revoke it later", async () => {
    const tokens = googleTokens();
    await firstSignIn(tokens);
    const unreachable = async () => {
      throw new Error("Google did not answer: ECONNREFUSED");
    };
    expect(await disconnectGmail(deps, userId, unreachable)).toBe("revoke-pending");
    expect(await storedTokens()).toMatchObject({ refresh_token: null, status: "DISCONNECTED" });
    const pending = await test.db.pendingRevocation.findFirstOrThrow({ where: { userId } });
    expect(pending.token).not.toContain(tokens.refresh_token);
    expect((await getConnection(test.db, userId))?.pendingRevocations).toBe(1);

    // Not due yet: the first retry waits.
    const revoked: string[] = [];
    const revoke = async (token: string) => revoked.push(token);
    expect(await retryPendingRevocations(deps, revoke)).toEqual({ revoked: 0, failed: 0 });
    const later = { ...deps, now: () => new Date(Date.now() + 60_000) };
    expect(await retryPendingRevocations(later, revoke)).toEqual({ revoked: 1, failed: 0 });
    expect(revoked).toEqual([tokens.refresh_token]);
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
  });

  it("backs off when the retry fails again", async () => {
    await firstSignIn(googleTokens());
    const failing = async () => {
      throw new Error("HTTP 503");
    };
    await disconnectGmail(deps, userId, failing);
    const later = new Date(Date.now() + 60_000);
    expect(await retryPendingRevocations({ ...deps, now: () => later }, failing)).toMatchObject({ revoked: 0 });
    const pending = await test.db.pendingRevocation.findFirstOrThrow({ where: { userId } });
    expect(pending.attempts).toBe(2);
    expect(pending.lastError).toBe("HTTP 503");
    // 30 s after the first failure, then doubling: 60 s after the second.
    expect(pending.nextAttemptAt.getTime() - later.getTime()).toBe(60_000);
  });

  it("twice is harmless", async () => {
    await firstSignIn(googleTokens());
    await disconnectGmail(deps, userId, async () => undefined);
    expect(await disconnectGmail(deps, userId, async () => undefined)).toBe("already-disconnected");
  });
});
