import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { getConnection } from "./status";
import type { AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";
import { googleGateway } from "../google/gateway";
import { GoogleRejectedError } from "../google/oauth";
import { GmailUnauthorizedError, sendRawMessage } from "../google/gmail";
import { getAccessToken, REFRESH_PROBLEM, withAccessToken } from "./tokens";
import { linkGoogleAccount } from "./sign-in";

// The token lifecycle against the local Google, through google-auth-library, on a real database.

const google = setupEmulator({ devClient: { publishingStatus: "testing" } });
const test = setupTestDatabase();
const DAY_S = 24 * 60 * 60;
let userId: string;
let subject = 0;

const googleConfig = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });

/** The app's deps talking to this file's emulator, on a clock that can be moved with it. */
function appAt(offsetSeconds = 0, overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    ...test.deps,
    google: googleGateway(googleConfig()),
    now: () => new Date(Date.now() + offsetSeconds * 1000),
    ...overrides,
  };
}

/** Ada connects Gmail; her access token is already expired in the app's eyes. */
async function connectWithExpiredToken(deps = appAt()) {
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-${subject}`,
      expires_at: Math.floor(Date.now() / 1000) - 60,
      userId,
      type: "oidc",
      provider: "google",
    },
    deps,
  );
  return tokens;
}

const tokenCalls = async () => (await google.control.calls()).token ?? 0;
const account = () => test.db.account.findFirstOrThrow({ where: { userId } });
const eventsOf = async (kind: string) => test.db.connectionEvent.count({ where: { userId, kind: kind as never } });

beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `tokens${subject}@evergreen.test` } })).id;
});

describe("getAccessToken", () => {
  it("hands out the stored token while it has more than five minutes left, without asking Google", async () => {
    const tokens = await connect(google.url);
    await linkGoogleAccount(
      {
        ...tokens.tokens,
        providerAccountId: `fresh-${subject}`,
        expires_at: Math.floor(Date.now() / 1000) + 3000,
        userId,
        type: "oidc",
        provider: "google",
      },
      appAt(),
    );
    const before = await tokenCalls();
    expect(await getAccessToken(userId, appAt())).toBe(tokens.tokens.access_token);
    expect(await tokenCalls()).toBe(before);
  });

  it("refreshes an expired token once for 50 concurrent callers, and records when", async () => {
    await connectWithExpiredToken();
    const before = await tokenCalls();
    const results = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(userId, appAt())));
    expect(new Set(results).size).toBe(1);
    expect((await tokenCalls()) - before).toBe(1);
    const row = await account();
    expect(row.lastRefreshedAt).not.toBeNull();
    expect(row.expires_at! - Date.now() / 1000).toBeGreaterThan(3000);
    expect(row.refreshLeaseId).toBeNull();
    // The refresh token is kept: Google does not rotate it.
    const stored = await test.db.account.findFirstOrThrow({
      where: { userId },
      select: { id: true, refresh_token: true },
    });
    expect(test.deps.vault.open(stored.refresh_token!, stored.id)).toMatch(/^1\/\//);
  });

  it("waits for a lease another process holds, and takes over once it expires if that process died", async () => {
    await connectWithExpiredToken();
    const { id } = await account();
    await test.db.account.update({
      where: { id },
      data: { refreshLeaseId: "a-dead-process", refreshLeaseUntil: new Date(Date.now() + 800) },
    });
    const before = await tokenCalls();
    const started = Date.now();
    await getAccessToken(userId, appAt());
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect((await tokenCalls()) - before).toBe(1);
  });

  it("refreshes a token Gmail just rejected even though its expiry looks fine, once", async () => {
    const { tokens } = await connect(google.url);
    await linkGoogleAccount(
      {
        ...tokens,
        providerAccountId: `rejected-${subject}`,
        expires_at: Math.floor(Date.now() / 1000) + 3000,
        userId,
        type: "oidc",
        provider: "google",
      },
      appAt(),
    );
    const renewed = await getAccessToken(userId, appAt(), { rejected: tokens.access_token! });
    expect(renewed).not.toBe(tokens.access_token);
    const before = await tokenCalls();
    expect(await getAccessToken(userId, appAt(), { rejected: tokens.access_token! })).toBe(renewed);
    expect(await tokenCalls()).toBe(before);
  });
  it("renews on demand (keep-alive) once for concurrent callers, even while the stored token is fresh", async () => {
    await connectWithExpiredToken();
    const first = await getAccessToken(userId, appAt());
    const before = await tokenCalls();
    const renewed = await Promise.all(
      Array.from({ length: 10 }, () => getAccessToken(userId, appAt(), { force: true })),
    );
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(first);
    expect((await tokenCalls()) - before).toBe(1);
  });
});

describe("when Google ends the grant", () => {
  it("after the user revokes at Google, marks the connection once, cause revoked, however many callers", async () => {
    await connectWithExpiredToken();
    await google.control.revokeAccess(DEV_USER.email);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => getAccessToken(userId, appAt())));
    expect(
      outcomes.every((outcome) => outcome.status === "rejected" && outcome.reason instanceof ReconnectRequiredError),
    ).toBe(true);
    expect(await account()).toMatchObject({ status: "NEEDS_RECONNECT", statusReason: "REVOKED" });
    expect(await eventsOf("REFRESH_FAILED")).toBe(1);
    // Later callers learn it from the status, without asking Google again.
    const before = await tokenCalls();
    await expect(getAccessToken(userId, appAt())).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(await tokenCalls()).toBe(before);
  });

  it("in Testing, 7 days after consent, names the Testing expiry", async () => {
    await connectWithExpiredToken();
    await google.control.advanceClock(7 * DAY_S + 60);
    await expect(getAccessToken(userId, appAt(7 * DAY_S + 60, { publishingStatus: "testing" }))).rejects.toBeInstanceOf(
      ReconnectRequiredError,
    );
    expect(await account()).toMatchObject({ status: "NEEDS_RECONNECT", statusReason: "TESTING_APP_EXPIRY" });
  });

  it("after six months unused, says so", async () => {
    await connectWithExpiredToken();
    await google.control.advanceClock(200 * DAY_S);
    await expect(getAccessToken(userId, appAt(200 * DAY_S))).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect((await getConnection(userId, appAt(200 * DAY_S)))?.reason).toBe("UNUSED_TOO_LONG");
  });
});

describe("when the failure is not the user's", () => {
  it("rides out a token endpoint answering 503 three times, status unchanged", async () => {
    await connectWithExpiredToken();
    await google.control.addFault({ endpoint: "token", count: 3, status: 503 });
    await expect(getAccessToken(userId, appAt())).resolves.toMatch(/\S/);
    expect(await account()).toMatchObject({ status: "CONNECTED", refreshProblem: null });
  });

  it("treats invalid_client as an operator problem: logged and recorded, the user not told to reconnect", async () => {
    await connectWithExpiredToken();
    const misconfigured = appAt(0, {
      google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: "wrong-secret", baseUrl: google.url }),
    });
    await expect(getAccessToken(userId, misconfigured)).rejects.toBeInstanceOf(GoogleRejectedError);
    expect(await account()).toMatchObject({ status: "CONNECTED", refreshProblem: REFRESH_PROBLEM.configuration });

    // Fixed configuration: the next use heals it, and the user is told once.
    await getAccessToken(userId, appAt());
    const healed = await account();
    expect(healed).toMatchObject({ refreshProblem: null });
    expect(healed.restoredAt).not.toBeNull();
  });
});

describe("a 401 from Gmail", () => {
  const send = () => (token: string) =>
    sendRawMessage(
      token,
      { raw: Buffer.from("To: grace@evergreen.test\r\nSubject: Hi\r\n\r\nHello\r\n") },
      googleConfig(),
    );

  it("forces one refresh and one retry of the call", async () => {
    await connectWithExpiredToken();
    await getAccessToken(userId, appAt());
    const before = await google.control.calls();
    await google.control.addFault({ endpoint: "gmail.send", count: 1, status: 401 });
    await expect(withAccessToken(userId, send(), appAt())).resolves.toMatchObject({ labelIds: ["SENT"] });
    const after = await google.control.calls();
    expect((after.token ?? 0) - (before.token ?? 0)).toBe(1);
    expect((after["gmail.send"] ?? 0) - (before["gmail.send"] ?? 0)).toBe(2);
  });

  it("never more than once: a second 401 is the caller's to handle", async () => {
    await connectWithExpiredToken();
    await getAccessToken(userId, appAt());
    const before = await google.control.calls();
    await google.control.addFault({ endpoint: "gmail.send", count: 5, status: 401 });
    await expect(withAccessToken(userId, send(), appAt())).rejects.toBeInstanceOf(GmailUnauthorizedError);
    const after = await google.control.calls();
    expect((after.token ?? 0) - (before.token ?? 0)).toBe(1);
    expect((after["gmail.send"] ?? 0) - (before["gmail.send"] ?? 0)).toBe(2);
  });
});
