import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GMAIL_SEND } from "../oauth2/scopes";
import { DEV_CLIENT, DEV_USER, SECOND_USER } from "../seed";
import { connect, oauthClient, TestBrowser } from "../testing";
import { setupEmulator } from "../vitest-setup";
import { EVENT_TYPES } from "./events";
import { registerStreamForTests } from "./register-stream";
import { SetReceiver } from "./set-receiver";

const env = setupEmulator();
let receiver: SetReceiver;
beforeEach(async () => {
  receiver = await SetReceiver.start(env.url);
  await registerStreamForTests(env.url, receiver.url);
});
afterEach(async () => {
  await receiver.close();
});

/** Waits for every SET in flight and answers the verified ones. */
async function settled() {
  expect(await env.control.riscFlush()).toEqual({ pending: 0 });
  return receiver.verified();
}

const userSubject = () => ({ subject_type: "iss-sub", iss: env.url, sub: DEV_USER.sub });
const base64Sha512Sha512 = (token: string) =>
  createHash("sha512").update(createHash("sha512").update(token).digest()).digest("base64");

async function refreshStatus(refreshToken: string) {
  const client = oauthClient(env.url);
  client.setCredentials({ refresh_token: refreshToken });
  return client.refreshAccessToken().then(
    () => 200,
    (e: { response?: { data?: { error?: string } } }) => e.response?.data?.error,
  );
}

describe("security events from account changes", () => {
  it("remove access: the grant ends and tokens-revoked goes out once, with the iss-sub subject", async () => {
    const { tokens } = await connect(env.url);
    await env.control.revokeAccess(DEV_USER.email);
    const sets = await settled();
    expect(sets).toHaveLength(1);
    expect(sets[0]?.eventType).toBe(EVENT_TYPES["tokens-revoked"]);
    expect(sets[0]?.event).toEqual({ subject: userSubject() });
    expect(sets[0]?.payload).toMatchObject({ iss: env.url, aud: DEV_CLIENT.id, jti: expect.any(String) });
    expect(sets[0]?.payload?.sub_id).toBeUndefined();
    expect(await refreshStatus(tokens.refresh_token ?? "")).toBe("invalid_grant");

    // The grant is gone, so nothing more goes out for this user until they grant again.
    await env.control.riscTrigger({ email: DEV_USER.email, type: "sessions-revoked" });
    expect(await settled()).toHaveLength(1);
    await connect(env.url);
    await env.control.riscTrigger({ email: DEV_USER.email, type: "sessions-revoked" });
    expect((await settled()).map((s) => s.eventType)).toEqual([
      EVENT_TYPES["tokens-revoked"],
      EVENT_TYPES["sessions-revoked"],
    ]);
  });

  it("the mailbox page's Remove access button does the same, within the page's CSP", async () => {
    await connect(env.url);
    const page = await fetch(`${env.url}/__emulator/`);
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
    const markup = await page.text();
    const form = /<form class="inline" method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(markup);
    expect(form?.[2]).toContain("Remove access");
    const fields = new URLSearchParams(
      [...(form?.[2] ?? "").matchAll(/name="([^"]+)" value="([^"]+)"/g)].map(([, k = "", v = ""]) => [k, v]),
    );
    const response = await fetch(new URL(form?.[1] ?? "", env.url), {
      method: "POST",
      body: fields,
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/__emulator/");
    expect(await env.control.grants()).toEqual([]);
    expect((await settled()).map((s) => s.eventType)).toEqual([EVENT_TYPES["tokens-revoked"]]);
  });

  it("revoking one refresh token sends token-revoked with its double SHA-512, or its prefix", async () => {
    const browser = new TestBrowser(env.url);
    const first = await connect(env.url, { browser });
    const second = await connect(env.url, { browser, prompt: "consent" });
    const token = first.tokens.refresh_token ?? "";
    await env.control.revokeRefreshToken(token);
    expect(await refreshStatus(token)).toBe("invalid_grant");
    expect(await refreshStatus(second.tokens.refresh_token ?? "")).toBe(200);
    expect(await env.control.grants()).toHaveLength(1);

    await env.control.configure({ riscTokenIdentifierAlg: "prefix", riscTokenSubjectIncludesSub: true });
    await env.control.revokeRefreshToken(second.tokens.refresh_token ?? "");
    const sets = await settled();
    expect(sets.map((s) => s.event)).toEqual([
      {
        subject: {
          subject_type: "oauth_token",
          token_type: "refresh_token",
          token_identifier_alg: "hash_base64_sha512_sha512",
          token: base64Sha512Sha512(token),
        },
      },
      {
        subject: {
          subject_type: "oauth_token",
          token_type: "refresh_token",
          token_identifier_alg: "prefix",
          token: (second.tokens.refresh_token ?? "").slice(0, 16),
          sub: DEV_USER.sub,
          iss: env.url,
        },
      },
    ]);
    expect(sets.every((s) => s.eventType === EVENT_TYPES["token-revoked"])).toBe(true);
  });

  it("the refresh token evicted by the per-client limit is reported as token-revoked", async () => {
    await env.control.configure({ refreshTokenLimitPerClient: 2 });
    const browser = new TestBrowser(env.url);
    const issued: string[] = [];
    for (let i = 0; i < 3; i++)
      issued.push((await connect(env.url, { browser, prompt: "consent" })).tokens.refresh_token ?? "");
    const sets = await settled();
    expect(sets.map((s) => s.event?.subject)).toEqual([
      expect.objectContaining({ token: base64Sha512Sha512(issued[0] ?? "") }),
    ]);
  });

  it("the app's own /revoke is silent unless riscOnRevokeEndpoint says tokens-revoked", async () => {
    const first = await connect(env.url);
    await oauthClient(env.url).revokeToken(first.tokens.refresh_token ?? "");
    expect(await settled()).toHaveLength(0);
    await env.control.configure({ riscOnRevokeEndpoint: "tokens-revoked" });
    const second = await connect(env.url);
    await oauthClient(env.url).revokeToken(second.tokens.refresh_token ?? "");
    expect((await settled()).map((s) => s.eventType)).toEqual([EVENT_TYPES["tokens-revoked"]]);
  });

  it("a password change kills Gmail-scoped tokens, keeps the grant, and reports per riscPasswordChangeEvents", async () => {
    const gmailGrant = await connect(env.url);
    const signInOnly = await connect(env.url, { scopes: ["openid", "email"], prompt: "consent" });
    expect(await env.control.passwordChange(DEV_USER.email)).toEqual({ revokedRefreshTokens: 1 });
    expect(await refreshStatus(gmailGrant.tokens.refresh_token ?? "")).toBe("invalid_grant");
    expect(await refreshStatus(signInOnly.tokens.refresh_token ?? "")).toBe(200);
    expect(await env.control.grants()).toHaveLength(1);
    expect((await settled()).map((s) => [s.eventType, s.event?.subject])).toEqual([
      [EVENT_TYPES["sessions-revoked"], userSubject()],
      [
        EVENT_TYPES["token-revoked"],
        expect.objectContaining({ token: base64Sha512Sha512(gmailGrant.tokens.refresh_token ?? "") }),
      ],
    ]);

    await env.control.configure({ riscPasswordChangeEvents: "tokens-revoked" });
    await connect(env.url, { prompt: "consent" });
    await env.control.passwordChange(DEV_USER.email);
    expect((await settled()).slice(2).map((s) => s.eventType)).toEqual([EVENT_TYPES["tokens-revoked"]]);

    await env.control.configure({ riscPasswordChangeEvents: "none" });
    await connect(env.url, { prompt: "consent" });
    expect(await env.control.passwordChange(DEV_USER.email)).toEqual({ revokedRefreshTokens: 1 });
    expect(await settled()).toHaveLength(3);
  });

  it("a disabled account refreshes to invalid_grant and Gmail answers 401; enabling lifts it; both reported", async () => {
    const { tokens } = await connect(env.url);
    await env.control.disableAccount(DEV_USER.email, "hijacking");
    expect(await refreshStatus(tokens.refresh_token ?? "")).toBe("invalid_grant");
    const send = await fetch(`${env.url}/gmail/v1/users/me/messages/send`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tokens.access_token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ raw: Buffer.from("To: a@example.org\r\n\r\nhi").toString("base64url") }),
    });
    expect(send.status).toBe(401);

    await env.control.enableAccount(DEV_USER.email);
    expect(await refreshStatus(tokens.refresh_token ?? "")).toBe(200);
    await env.control.disableAccount(DEV_USER.email);
    expect((await settled()).map((s) => [s.eventType, s.event])).toEqual([
      [EVENT_TYPES["account-disabled"], { subject: userSubject(), reason: "hijacking" }],
      [EVENT_TYPES["account-enabled"], { subject: userSubject() }],
      [EVENT_TYPES["account-disabled"], { subject: userSubject() }],
    ]);
  });

  it("a user who granted only gmail.send (no openid, email or profile) gets no events", async () => {
    await connect(env.url, { account: SECOND_USER.email, scopes: [GMAIL_SEND] });
    await env.control.riscTrigger({ email: SECOND_USER.email, type: "account-credential-change-required" });
    await env.control.revokeAccess(SECOND_USER.email);
    expect(await settled()).toHaveLength(0);
    expect(await env.control.riscDeliveries()).toEqual([]);
  });

  it("the trigger route emits raw events by short name or URI, only for requested types", async () => {
    await connect(env.url);
    expect(
      await env.control.riscTrigger({ email: DEV_USER.email, type: "account-credential-change-required" }),
    ).toEqual({
      type: EVENT_TYPES["account-credential-change-required"],
      sets: 1,
    });
    await registerStreamForTests(env.url, receiver.url, [EVENT_TYPES["tokens-revoked"]]);
    expect((await env.control.riscTrigger({ email: DEV_USER.email, type: EVENT_TYPES["sessions-revoked"] })).sets).toBe(
      0,
    );
    await expect(env.control.riscTrigger({ email: DEV_USER.email, type: "nope" })).rejects.toThrow(/400/);
    expect((await settled()).map((s) => s.eventType)).toEqual([EVENT_TYPES["account-credential-change-required"]]);
  });
});
