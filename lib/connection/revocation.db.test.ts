import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { getConnection } from "./status";
import type { AppDeps } from "../platform/deps";
import { applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./sign-in";
import { googleGateway, type GoogleGateway } from "../google/gateway";
import { GMAIL_SEND_SCOPE, GoogleRejectedError, GoogleUnavailableError } from "../google/oauth";
import { disconnectGmail, REVOKE_EVENT_DETAIL, retryPendingRevocations } from "./revocation";

const google = setupEmulator();
const googleConfig = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });
const realGoogle = () => googleGateway(googleConfig());

const test = setupTestDatabase();
let userId: string;
let subject = 0;

beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `user${subject}@evergreen.test` } })).id;
});

function googleTokens(overrides: Partial<GoogleTokens> = {}): GoogleTokens {
  return {
    providerAccountId: `revocation-${subject}`,
    access_token: `ya29.access-${randomBytes(4).toString("hex")}`,
    refresh_token: `1//0refresh-${randomBytes(4).toString("hex")}`,
    expires_at: 2_000_000_000,
    token_type: "bearer",
    scope: `openid ${GMAIL_SEND_SCOPE}`,
    ...overrides,
  };
}

const link = (tokens: GoogleTokens) =>
  linkGoogleAccount({ ...tokens, userId, type: "oidc", provider: "google" }, test.deps);
const revoking = (revoke: GoogleGateway["revoke"], base: AppDeps = test.deps): AppDeps => ({
  ...base,
  google: { ...base.google, revoke },
});
const unreachable: GoogleGateway["revoke"] = async () => {
  throw new GoogleUnavailableError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
};
const later = (ms = 60_000): AppDeps => ({ ...test.deps, now: () => new Date(Date.now() + ms) });
const events = async () => (await getConnection(userId, test.deps))?.events ?? [];

describe("disconnect", () => {
  it("revokes the refresh token at Google, wipes every token and records both", async () => {
    const tokens = googleTokens();
    await link(tokens);
    const revoked: string[] = [];
    expect(
      await disconnectGmail(
        userId,
        revoking(async (token) => (revoked.push(token), "revoked")),
      ),
    ).toBe("revoked");
    expect(revoked).toEqual([tokens.refresh_token]);
    const row = await test.db.account.findFirstOrThrow({
      where: { userId },
      select: { refresh_token: true, access_token: true, id_token: true, status: true },
    });
    expect(row).toMatchObject({ refresh_token: null, access_token: null, id_token: null, status: "DISCONNECTED" });
    expect((await events()).map((event) => event.kind)).toEqual(
      expect.arrayContaining(["DISCONNECTED", "REVOKE_SUCCEEDED"]),
    );
  });

  it("when Google is unreachable, still disconnects and keeps the token only to revoke it later", async () => {
    const tokens = googleTokens();
    await link(tokens);
    expect(await disconnectGmail(userId, revoking(unreachable))).toBe("revoke-pending");
    const pending = await test.db.pendingRevocation.findFirstOrThrow({ where: { userId } });
    expect(pending.token).not.toContain(tokens.refresh_token);
    expect(pending.providerAccountId).toBe(tokens.providerAccountId);
    expect((await getConnection(userId, test.deps))?.pendingRevocations).toBe(1);

    const revoked: string[] = [];
    const revoke: GoogleGateway["revoke"] = async (token) => (revoked.push(token), "revoked");
    // Not due yet: the first retry waits.
    expect(await retryPendingRevocations(20, revoking(revoke))).toEqual({ revoked: 0, failed: 0 });
    expect(await retryPendingRevocations(20, revoking(revoke, later()))).toEqual({ revoked: 1, failed: 0 });
    expect(revoked).toEqual([tokens.refresh_token]);
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
  });

  it("backs off while Google stays unreachable", async () => {
    await link(googleTokens());
    await disconnectGmail(userId, revoking(unreachable));
    const retry = later();
    expect(await retryPendingRevocations(20, revoking(unreachable, retry))).toEqual({ revoked: 0, failed: 1 });
    const pending = await test.db.pendingRevocation.findFirstOrThrow({ where: { userId } });
    expect(pending.attempts).toBe(2);
    expect(pending.lastError).toContain("Google did not answer");
    // 30 s after the first failure, then doubling: 120 s after the second attempt's claim.
    expect(pending.nextAttemptAt.getTime() - retry.now().getTime()).toBeGreaterThanOrEqual(119_000);
  });

  it("drops a queued revoke that Google refuses, and says what the user can do", async () => {
    await link(googleTokens());
    await disconnectGmail(userId, revoking(unreachable));
    const refused: GoogleGateway["revoke"] = async () => {
      throw new GoogleRejectedError({ response: { status: 401, data: { error: "invalid_client" } } });
    };
    expect(await retryPendingRevocations(20, revoking(refused, later()))).toEqual({ revoked: 0, failed: 1 });
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
    expect((await events())[0]).toMatchObject({ kind: "REVOKE_FAILED", detail: REVOKE_EVENT_DETAIL.refused });
  });

  it("when Google refuses the revoke, says so and queues nothing", async () => {
    await link(googleTokens());
    const refused: GoogleGateway["revoke"] = async () => {
      throw new GoogleRejectedError({ response: { status: 400, data: { error: "invalid_request" } } });
    };
    expect(await disconnectGmail(userId, revoking(refused))).toBe("revoke-refused");
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
  });

  it("with unreadable credentials tells the truth: nothing could be revoked, nothing is queued", async () => {
    await link(googleTokens());
    await test.db.account.updateMany({ where: { userId }, data: { refresh_token: "ev1.gone.AAAA.BBBB" } });
    const attempted: string[] = [];
    expect(
      await disconnectGmail(
        userId,
        revoking(async (token) => (attempted.push(token), "revoked")),
      ),
    ).toBe("credentials-unreadable");
    expect(attempted).toEqual([]);
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
    const detail = (await events()).find((event) => event.kind === "REVOKE_FAILED")?.detail;
    expect(detail).toBe(REVOKE_EVENT_DETAIL.unreadable);
    // Fixed wording only: no key id or configuration name reaches the page.
    expect(detail).not.toMatch(/gone|TOKEN_ENCRYPTION_KEYS/);
  });

  it("twice is harmless", async () => {
    await link(googleTokens());
    await disconnectGmail(
      userId,
      revoking(async () => "revoked"),
    );
    expect(
      await disconnectGmail(
        userId,
        revoking(async () => "revoked"),
      ),
    ).toBe("already-disconnected");
  });
});

describe("a queued revoke never outlives a new consent by the same Google account", () => {
  it("is dropped when the user connects again, so the new grant stays alive at Google", async () => {
    // The whole story against the local Google with the real client library.
    const first = await connect(google.url);
    const providerAccountId = `real-${subject}`;
    await link({ providerAccountId, ...first.tokens });
    await google.control.addFault({ endpoint: "revoke", count: 10, mode: "drop-before" });
    expect(await disconnectGmail(userId, { ...test.deps, google: realGoogle() })).toBe("revoke-pending");
    await google.control.clearFaults();

    const second = await connect(google.url, { prompt: "consent" });
    expect(await applyGoogleSignIn({ providerAccountId, ...second.tokens }, {}, test.deps)).toMatchObject({
      status: "CONNECTED",
    });
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);

    await retryPendingRevocations(20, { ...later(60 * 60_000), google: realGoogle() });
    second.client.setCredentials({ refresh_token: second.tokens.refresh_token });
    await expect(second.client.getAccessToken()).resolves.toMatchObject({ token: expect.any(String) });
  });

  it("that reached Google while the user was reconnecting marks the connection as needing a reconnect", async () => {
    const tokens = googleTokens();
    await link(tokens);
    await disconnectGmail(userId, revoking(unreachable));
    // The retry is in flight at Google when the new consent lands (and drops the queue).
    const revokeDuringReconnect: GoogleGateway["revoke"] = async () => {
      await applyGoogleSignIn(googleTokens({ providerAccountId: tokens.providerAccountId }), {}, test.deps);
      return "revoked";
    };
    await retryPendingRevocations(20, revoking(revokeDuringReconnect, later()));
    const connection = await getConnection(userId, test.deps);
    expect(connection).toMatchObject({ status: "NEEDS_RECONNECT", reason: "REVOKED" });
  });
});

describe("a queued revoke whose claim lapses while Google takes its time", () => {
  it("is settled by the process that took it over, and recorded once", async () => {
    await link(googleTokens());
    await disconnectGmail(userId, revoking(unreachable));
    let takenOver!: Promise<unknown>;
    // Process A's revoke is still at Google when process B, five minutes later by its clock, takes the row over.
    const slowRevoke: GoogleGateway["revoke"] = async () => {
      takenOver = retryPendingRevocations(
        20,
        revoking(async () => "already-invalid", later(60 * 60_000)),
      );
      await takenOver;
      return "revoked";
    };
    const byA = await retryPendingRevocations(20, revoking(slowRevoke, later()));

    expect(byA).toEqual({ revoked: 0, failed: 0 });
    expect(await takenOver).toEqual({ revoked: 1, failed: 0 });
    expect(await test.db.pendingRevocation.count({ where: { userId } })).toBe(0);
    const settled = (await events()).filter((event) => event.kind === "REVOKE_SUCCEEDED");
    expect(settled.map((event) => event.detail)).toEqual([REVOKE_EVENT_DETAIL.alreadyInvalid]);
  });
});
