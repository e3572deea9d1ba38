import type { Credentials } from "google-auth-library";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { getConnection } from "./status";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { sendRawMessage } from "../google/gmail";
import { GMAIL_SEND_SCOPE } from "../google/oauth";
import { withAccessToken } from "./tokens";
import { applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./sign-in";

// A sign-in or Reconnect that comes back from Google with “Send email on your behalf” unticked, while the
// stored connection could send: against the local Google, through google-auth-library, on a real database.

const google = setupEmulator();
const test = setupTestDatabase();
const SIGN_IN_ONLY =
  "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile";
const KEPT =
  "You reconnected without ticking “Send email on your behalf”; Evergreen kept your earlier access, which can still send.";
let userId: string;
let subject = 0;

const googleConfig = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });
const app = (): AppDeps => ({ ...test.deps, google: googleGateway(googleConfig()) });
const tokenCalls = async () => (await google.control.calls()).token ?? 0;

/** What Auth.js hands the signIn callback after Google's code exchange. */
const signInOf = (tokens: Credentials): GoogleTokens => ({
  ...tokens,
  providerAccountId: `${DEV_USER.sub}-${subject}`,
  expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
});

async function stored() {
  const row = await test.db.account.findFirstOrThrow({
    where: { userId },
    select: {
      id: true,
      refresh_token: true,
      access_token: true,
      scope: true,
      status: true,
      consentedAt: true,
      lastRefreshedAt: true,
    },
  });
  const open = (value: string | null) => (value ? test.deps.vault.open(value, row.id) : null);
  return { ...row, refreshToken: open(row.refresh_token), accessToken: open(row.access_token) };
}

/** Ada connects Gmail with every box ticked; then approves Google's screen again with the send box unticked. */
async function connectThenUntick() {
  const first = await connect(google.url);
  await linkGoogleAccount({ ...signInOf(first.tokens), userId, type: "oidc", provider: "google" }, app());
  const narrower = () =>
    connect(google.url, { browser: first.browser, prompt: "consent", untick: ["Send email on your behalf"] });
  return { first, narrower };
}

async function newestEvent() {
  return (await getConnection(userId, app()))?.events[0];
}

beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `reconnect${subject}@evergreen.test` } })).id;
});

describe("a reconnect with “Send email on your behalf” unticked", () => {
  it("keeps the earlier access while Google still renews it with gmail.send, and says so", async () => {
    const { first, narrower } = await connectThenUntick();
    const before = await stored();
    const second = await narrower();
    expect(second.tokens.scope).not.toContain(GMAIL_SEND_SCOPE);

    const calls = await tokenCalls();
    const outcome = await applyGoogleSignIn(signInOf(second.tokens), {}, app());
    expect(outcome).toMatchObject({ status: "CONNECTED", reason: null, events: ["SCOPE_MISSING"] });
    // One refresh with the stored token proved it.
    expect((await tokenCalls()) - calls).toBe(1);

    const after = await stored();
    expect(after.refreshToken).toBe(first.tokens.refresh_token);
    expect(after.consentedAt).toEqual(before.consentedAt);
    expect(after.accessToken).not.toBe(second.tokens.access_token);
    expect(after.accessToken).not.toBe(first.tokens.access_token);
    expect(after.scope?.split(" ")).toContain(GMAIL_SEND_SCOPE);
    expect(after.lastRefreshedAt).not.toBeNull();
    const connection = await getConnection(userId, app());
    expect(connection).toMatchObject({ status: "CONNECTED", reason: null });
    expect(connection?.grantedScopes).toContain(GMAIL_SEND_SCOPE);
    expect(connection?.events[0]).toMatchObject({ kind: "SCOPE_MISSING", detail: KEPT });

    // It still sends, and the narrower grant was left alone at Google (a revoke would end both).
    const sent = await withAccessToken(
      userId,
      (token) =>
        sendRawMessage(
          token,
          { raw: Buffer.from("To: bob@example.com\r\nSubject: Still sending\r\n\r\nhi") },
          googleConfig(),
        ),
      app(),
    );
    expect(sent.id).toBeTruthy();
    const alive = (await google.control.tokensOf(DEV_USER.email)).refreshTokens.filter((token) => token.alive);
    expect(alive.map((token) => token.token).sort()).toEqual(
      [first.tokens.refresh_token, second.tokens.refresh_token].sort(),
    );
  });

  it("whose earlier access Google no longer accepts is missing its permission, and says why", async () => {
    // One live token per user and client: the new consent's token silently ends the earlier one.
    await google.control.configure({ refreshTokenLimitPerClient: 1 });
    const { narrower } = await connectThenUntick();
    const second = await narrower();

    const outcome = await applyGoogleSignIn(signInOf(second.tokens), {}, app());
    expect(outcome).toMatchObject({ status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED", events: ["SCOPE_MISSING"] });
    expect((await stored()).refreshToken).toBe(second.tokens.refresh_token);
    const event = await newestEvent();
    expect(event?.detail).toContain("“Send email on your behalf” was not ticked at Google, so Evergreen cannot send.");
    expect(event?.detail).toContain("Your earlier access could not be kept: Google no longer accepts it.");
  });

  it("whose earlier access Google renews without gmail.send is missing its permission, and says why", async () => {
    const { narrower } = await connectThenUntick();
    const second = await narrower();
    await google.control.addFault({
      endpoint: "token",
      status: 200,
      body: { access_token: "ya29.narrow", expires_in: 3599, scope: SIGN_IN_ONLY, token_type: "Bearer" },
    });

    const outcome = await applyGoogleSignIn(signInOf(second.tokens), {}, app());
    expect(outcome).toMatchObject({ status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" });
    expect((await stored()).refreshToken).toBe(second.tokens.refresh_token);
    expect((await newestEvent())?.detail).toContain(
      "Your earlier access could not be kept: Google says it cannot send either.",
    );
  });

  it("when Google does not answer the check, is missing its permission, and says why", async () => {
    const { narrower } = await connectThenUntick();
    const second = await narrower();
    // google-auth-library retries a 503 three times before giving up.
    await google.control.addFault({ endpoint: "token", status: 503, count: 4 });

    const outcome = await applyGoogleSignIn(signInOf(second.tokens), {}, app());
    expect(outcome).toMatchObject({ status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" });
    expect((await newestEvent())?.detail).toContain(
      "Your earlier access could not be kept: Google did not confirm that it still works.",
    );
  });

  it("asks Google nothing when the connection could not send anyway", async () => {
    const unticked = await connect(google.url, { untick: ["Send email on your behalf"] });
    const calls = await tokenCalls();
    await linkGoogleAccount({ ...signInOf(unticked.tokens), userId, type: "oidc", provider: "google" }, app());
    const again = await connect(google.url, {
      browser: unticked.browser,
      prompt: "consent",
      untick: ["Send email on your behalf"],
    });
    expect(await applyGoogleSignIn(signInOf(again.tokens), {}, app())).toMatchObject({
      status: "MISSING_SCOPE",
      reason: "SCOPE_UNTICKED",
    });
    // Only the second code exchange: no refresh of the stored token.
    expect((await tokenCalls()) - calls).toBe(1);
    expect((await newestEvent())?.detail).not.toContain("earlier access");
  });
});
