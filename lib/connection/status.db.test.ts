import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { getConnection, takeRestoredNotice } from "./status";
import type { AppDeps } from "../platform/deps";
import { admitGoogleAccount, applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./sign-in";
import { GMAIL_SEND_SCOPE } from "../google/oauth";

const FULL_SCOPE = `openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile ${GMAIL_SEND_SCOPE}`;
const SIGN_IN_ONLY =
  "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile";

const test = setupTestDatabase();
const DAY_MS = 24 * 60 * 60_000;
let userId: string;
let subject = 0;

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

// An unsigned JWT is enough: the address is only displayed, and Auth.js checked the real one.
function idToken(email: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ sub: String(subject), email })}.`;
}

async function firstSignIn(tokens: GoogleTokens) {
  await linkGoogleAccount({ ...tokens, userId, type: "oidc", provider: "google" }, test.deps);
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
    expect(test.deps.vault.open(row.refresh_token!, row.id)).toBe(tokens.refresh_token);
    expect(test.deps.vault.open(row.access_token!, row.id)).toBe(tokens.access_token);
    expect(test.deps.vault.open(row.id_token!, row.id)).toBe(tokens.id_token);
    const connection = await getConnection(userId, test.deps);
    expect(connection?.events.map((event) => event.kind)).toEqual(["CONNECTED"]);
  });

  it("with no refresh token from Google needs a reconnect at once, not in an hour", async () => {
    await firstSignIn(googleTokens({ refresh_token: undefined }));
    const connection = await getConnection(userId, test.deps);
    expect(connection).toMatchObject({ status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" });
    expect(connection?.events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(["CONNECTED", "REFRESH_TOKEN_MISSING"]),
    );
  });

  it("without gmail.send granted is missing its scope and says so", async () => {
    await firstSignIn(googleTokens({ scope: SIGN_IN_ONLY }));
    const connection = await getConnection(userId, test.deps);
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
    await applyGoogleSignIn(second, {}, test.deps);
    const row = await storedTokens();
    expect(test.deps.vault.open(row.access_token!, row.id)).toBe(second.access_token);
    expect(test.deps.vault.open(row.refresh_token!, row.id)).toBe(first.refresh_token);
    expect(row.status).toBe("CONNECTED");
  });

  it("replaces the refresh token when Google sends a new one", async () => {
    await firstSignIn(googleTokens());
    const second = googleTokens();
    const outcome = await applyGoogleSignIn(second, {}, test.deps);
    const row = await storedTokens();
    expect(test.deps.vault.open(row.refresh_token!, row.id)).toBe(second.refresh_token);
    expect(outcome?.events).toEqual(["SIGNED_IN"]);
  });

  it("with the scope ticked this time reconnects a missing-scope account", async () => {
    await firstSignIn(googleTokens({ scope: SIGN_IN_ONLY }));
    const outcome = await applyGoogleSignIn(googleTokens(), {}, test.deps);
    expect(outcome).toMatchObject({ status: "CONNECTED", reason: null, events: ["RECONNECTED"] });
  });

  it("does not trust a stored refresh token Google has already refused", async () => {
    await firstSignIn(googleTokens());
    await test.db.account.updateMany({
      where: { userId },
      data: { status: "NEEDS_RECONNECT", statusReason: "REVOKED" },
    });
    const outcome = await applyGoogleSignIn(googleTokens({ refresh_token: undefined }), {}, test.deps);
    expect(outcome).toMatchObject({ status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" });
  });

  it("is ignored for an account Auth.js has not linked yet", async () => {
    expect(await applyGoogleSignIn(googleTokens({ providerAccountId: "not-linked" }), {}, test.deps)).toBeNull();
  });
});

describe("stored credentials that no key can open", () => {
  async function connectedUser() {
    await firstSignIn(googleTokens());
    return storedTokens();
  }

  const tamperings: Array<
    [
      string,
      (
        row: { id: string; refresh_token: string | null },
        other: { id: string; refresh_token: string | null },
      ) => string,
    ]
  > = [
    ["another user's ciphertext", (_row, other) => other.refresh_token!],
    [
      "one character flipped",
      (row) =>
        row.refresh_token!.slice(0, -3) +
        (row.refresh_token!.at(-3) === "A" ? "B" : "A") +
        row.refresh_token!.slice(-2),
    ],
    ["an unknown key id", (row) => row.refresh_token!.replace(/^ev1\.k1\./, "ev1.gone.")],
    ["plaintext", () => "1//0plaintext-refresh-token"],
    ["a truncated value", (row) => row.refresh_token!.slice(0, 30)],
  ];

  it.each(tamperings)("with %s need a reconnect, recorded once", async (_label, tamper) => {
    const other = await connectedUser();
    subject += 1;
    userId = (await test.db.user.create({ data: { email: `user${subject}@evergreen.test` } })).id;
    const row = await connectedUser();
    await test.db.account.update({ where: { id: row.id }, data: { refresh_token: tamper(row, other) } });

    const connection = await getConnection(userId, test.deps);
    expect(connection).toMatchObject({ status: "NEEDS_RECONNECT", reason: "TOKEN_UNREADABLE" });
    await getConnection(userId, test.deps);
    const events = await test.db.connectionEvent.findMany({ where: { userId, kind: "CREDENTIALS_UNREADABLE" } });
    expect(events).toHaveLength(1);
    // The other user's connection is untouched.
    expect((await test.db.account.findUniqueOrThrow({ where: { id: other.id } })).status).toBe("CONNECTED");
  });

  it("are replaced by the next consent, which connects again", async () => {
    const row = await connectedUser();
    await test.db.account.update({ where: { id: row.id }, data: { refresh_token: "garbage" } });
    await getConnection(userId, test.deps);
    expect(await applyGoogleSignIn(googleTokens(), {}, test.deps)).toMatchObject({
      status: "CONNECTED",
      events: ["RECONNECTED"],
    });
  });

  it("without a new refresh token on sign-in do not count as a stored token", async () => {
    const row = await connectedUser();
    await test.db.account.update({ where: { id: row.id }, data: { refresh_token: "garbage" } });
    expect(await applyGoogleSignIn(googleTokens({ refresh_token: undefined }), {}, test.deps)).toMatchObject({
      status: "NEEDS_RECONNECT",
      reason: "TOKEN_UNREADABLE",
    });
  });
});

describe("one Google account per user", () => {
  it("admits anyone who is not signed in (Auth.js then signs in or creates the user)", async () => {
    expect(await admitGoogleAccount(undefined, { providerAccountId: "anyone" }, test.deps)).toBe(true);
  });

  it("admits a reconnect with the same Google account", async () => {
    await firstSignIn(googleTokens());
    expect(await admitGoogleAccount(userId, { providerAccountId: String(subject) }, test.deps)).toBe(true);
  });

  it("refuses a reconnect that comes back with another Google account, naming both and how to switch", async () => {
    await firstSignIn(googleTokens({ id_token: idToken(`user${subject}@evergreen.test`) }));
    const revoked: string[] = [];
    const recording = {
      ...test.deps,
      google: { ...test.deps.google, revoke: async (token: string) => (revoked.push(token), "revoked" as const) },
    };
    const admission = await admitGoogleAccount(
      userId,
      { providerAccountId: "someone-else", email: "other@evergreen.test", token: "1//0refused" },
      recording,
    );
    expect(admission).toBe(false);
    // Nobody holds the refused grant, so it does not stay live at Google.
    expect(revoked).toEqual(["1//0refused"]);
    const [event] = await test.db.connectionEvent.findMany({ where: { userId, kind: "RECONNECT_REFUSED" } });
    expect(event?.detail).toContain("Google returned other@evergreen.test");
    expect(event?.detail).toContain(`your Gmail connection is user${subject}@evergreen.test`);
    expect(event?.detail).toContain("disconnect Gmail first");
    expect(await test.db.account.count({ where: { userId } })).toBe(1);
  });

  it("refuses a Google account another Evergreen user holds, without touching that user's grant", async () => {
    await firstSignIn(googleTokens());
    const heldBy = String(subject);
    subject += 1;
    userId = (await test.db.user.create({ data: { email: `user${subject}@evergreen.test` } })).id;
    const revoked: string[] = [];
    const recording = {
      ...test.deps,
      google: { ...test.deps.google, revoke: async (token: string) => (revoked.push(token), "revoked" as const) },
    };
    expect(await admitGoogleAccount(userId, { providerAccountId: heldBy, token: "1//0theirs" }, recording)).toBe(false);
    expect(revoked).toEqual([]);
    // Disconnecting would not help, so the user is not told to.
    const event = await test.db.connectionEvent.findFirst({ where: { userId, kind: "RECONNECT_REFUSED" } });
    expect(event?.detail).toContain("another Evergreen user has connected");
    expect(event?.detail).not.toContain("disconnect Gmail first");
  });

  it("after a disconnect, lets the user switch to another Google account", async () => {
    await firstSignIn(googleTokens());
    await test.db.account.updateMany({
      where: { userId },
      data: { status: "DISCONNECTED", refresh_token: null, access_token: null },
    });
    expect(await admitGoogleAccount(userId, { providerAccountId: "new-account" }, test.deps)).toBe(true);
    expect(await test.db.account.count({ where: { userId } })).toBe(0);
  });
});

describe("the Google address of a connection", () => {
  it("comes from the ID token of each sign-in, not from the Evergreen user", async () => {
    await firstSignIn(googleTokens({ id_token: idToken("work@evergreen.test") }));
    expect((await getConnection(userId, test.deps))?.googleEmail).toBe("work@evergreen.test");
  });
});

describe("the connection restored notice", () => {
  const setRestored = (at: Date | null, data: object = {}) =>
    test.db.account.updateMany({ where: { userId }, data: { restoredAt: at, ...data } });

  it("after a reconnect that fixed the connection, is taken once, however many pages render at the same moment", async () => {
    await firstSignIn(googleTokens({ refresh_token: null }));
    await applyGoogleSignIn(googleTokens({ id_token: idToken("back@evergreen.test") }), {}, test.deps);
    expect((await getConnection(userId, test.deps))?.restoredAt).not.toBeNull();

    const taken = await Promise.all(Array.from({ length: 5 }, () => takeRestoredNotice(userId, test.deps)));
    expect(taken.filter(Boolean)).toEqual([{ by: "reconnect", googleEmail: "back@evergreen.test" }]);
    expect(await takeRestoredNotice(userId, test.deps)).toBeNull();
    expect((await getConnection(userId, test.deps))?.restoredAt).toBeNull();
  });

  it("after a renewal that healed a server problem, says the connection is restored", async () => {
    await firstSignIn(googleTokens());
    await setRestored(new Date());
    expect(await takeRestoredNotice(userId, test.deps)).toMatchObject({ by: "renewal" });
  });

  it("is not shown for a connection that broke again since, and does not linger", async () => {
    await firstSignIn(googleTokens());
    await setRestored(new Date(), { status: "NEEDS_RECONNECT", statusReason: "REVOKED" });
    expect(await takeRestoredNotice(userId, test.deps)).toBeNull();
    expect((await test.db.account.findFirstOrThrow({ where: { userId } })).restoredAt).toBeNull();
  });

  it("is never set by the first connection, which is news of another kind", async () => {
    await firstSignIn(googleTokens());
    expect(await takeRestoredNotice(userId, test.deps)).toBeNull();
  });
});

describe("renewal problems in the read model", () => {
  const setProblem = (kind: string, at: Date) =>
    test.db.account.updateMany({ where: { userId }, data: { refreshProblem: kind, refreshProblemAt: at } });

  it("keeps a server configuration problem until a renewal succeeds", async () => {
    await firstSignIn(googleTokens());
    const at = new Date(Date.now() - 3 * DAY_MS);
    await setProblem("CONFIGURATION", at);
    expect((await getConnection(userId, test.deps))?.refreshProblem).toEqual({ kind: "CONFIGURATION", at });
  });

  it("mentions Google being unavailable only for a day", async () => {
    await firstSignIn(googleTokens());
    const recent = new Date(Date.now() - 60_000);
    await setProblem("TRANSIENT", recent);
    expect((await getConnection(userId, test.deps))?.refreshProblem).toEqual({ kind: "TRANSIENT", at: recent });
    await setProblem("TRANSIENT", new Date(Date.now() - 2 * DAY_MS));
    expect((await getConnection(userId, test.deps))?.refreshProblem).toBeNull();
  });
});

describe("the Testing countdown", () => {
  const inTesting = (daysAfterConsent: number): AppDeps => ({
    ...test.deps,
    publishingStatus: "testing",
    now: () => new Date(Date.now() + daysAfterConsent * DAY_MS),
  });

  it("counts whole days left until Google ends the grant, 7 days after consent", async () => {
    await firstSignIn(googleTokens());
    const { consentedAt } = await test.db.account.findFirstOrThrow({ where: { userId } });
    const expiry = (await getConnection(userId, inTesting(0)))?.testingExpiry;
    expect(expiry?.endsAt.getTime()).toBe(consentedAt!.getTime() + 7 * DAY_MS);
    expect(expiry?.daysLeft).toBe(7);
    expect((await getConnection(userId, inTesting(4.5)))?.testingExpiry?.daysLeft).toBe(3);
    expect((await getConnection(userId, inTesting(6.9)))?.testingExpiry?.daysLeft).toBe(1);
    expect((await getConnection(userId, inTesting(8)))?.testingExpiry?.daysLeft).toBe(0);
  });

  it("is absent for a published app, and for a connection that does not work anyway", async () => {
    await firstSignIn(googleTokens());
    expect((await getConnection(userId, test.deps))?.testingExpiry).toBeNull();
    await test.db.account.updateMany({ where: { userId }, data: { status: "NEEDS_RECONNECT" } });
    expect((await getConnection(userId, inTesting(1)))?.testingExpiry).toBeNull();
  });
});
