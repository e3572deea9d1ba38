import type { Credentials } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { GMAIL_SEND, USERINFO_EMAIL, USERINFO_PROFILE } from "./scopes";
import { DEV_CLIENT, DEV_USER } from "../seed";
import { connect, EVERGREEN_SCOPES, oauthClient, TestBrowser } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

async function refreshError(refreshToken: string) {
  const client = oauthClient(env.url);
  client.setCredentials({ refresh_token: refreshToken });
  const error = await client.refreshAccessToken().then(
    () => undefined,
    (e: { message: string; status?: number; response?: { data: unknown } }) => e,
  );
  return { message: error?.message, status: error?.status, body: error?.response?.data };
}

describe("authorization code flow with google-auth-library", () => {
  it("first offline consent returns access, refresh and a verifiable ID token; the 'tokens' event fires", async () => {
    const client = oauthClient(env.url);
    const events: Credentials[] = [];
    client.on("tokens", (t) => events.push(t));
    const { tokens, outcome } = await connect(env.url, { client, extra: { nonce: "n-0S6_WzA2Mj" } });

    expect(outcome.screens).toEqual(["chooser", "consent"]);
    expect(outcome.params.get("state")).toBe("state-123");
    expect(outcome.params.get("authuser")).toBe("0");
    expect(outcome.params.get("prompt")).toBe("consent");
    expect(outcome.params.get("iss")).toBe(env.url);
    expect(outcome.params.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["email", "profile", USERINFO_EMAIL, USERINFO_PROFILE, GMAIL_SEND, "openid"]),
    );
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\/0/);
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.expiry_date).toBeGreaterThan(Date.now() + 3500_000);
    expect(tokens.scope?.split(" ").sort()).toEqual(["openid", GMAIL_SEND, USERINFO_EMAIL, USERINFO_PROFILE].sort());
    expect(events.map((e) => e.refresh_token)).toEqual([tokens.refresh_token]);

    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? "", audience: DEV_CLIENT.id });
    const payload = ticket.getPayload();
    expect(payload).toMatchObject({
      iss: env.url,
      aud: DEV_CLIENT.id,
      azp: DEV_CLIENT.id,
      sub: DEV_USER.sub,
      email: DEV_USER.email,
      email_verified: true,
      name: "Ada Lovelace",
      given_name: "Ada",
      family_name: "Lovelace",
      nonce: "n-0S6_WzA2Mj",
    });
    expect(payload?.at_hash).toBeTruthy();
    expect(payload?.picture).toContain("https://");
  });

  it("a repeat authorization without prompt=consent is silent and returns no refresh_token; prompt=consent returns a new one", async () => {
    const first = await connect(env.url);
    const silent = await connect(env.url, { browser: first.browser });
    expect(silent.outcome.screens).toEqual(["chooser"]);
    expect(silent.outcome.params.get("prompt")).toBe("none");
    expect(silent.tokens.access_token).toBeTruthy();
    expect(silent.tokens.refresh_token).toBeUndefined();

    const forced = await connect(env.url, { browser: first.browser, prompt: "consent" });
    expect(forced.outcome.screens).toEqual(["chooser", "consent"]);
    expect(forced.tokens.refresh_token).toMatch(/^1\/\/0/);
    expect(forced.tokens.refresh_token).not.toBe(first.tokens.refresh_token);

    // A new refresh token leaves the older one valid.
    for (const token of [first.tokens.refresh_token, forced.tokens.refresh_token]) {
      const client = oauthClient(env.url);
      client.setCredentials({ refresh_token: token ?? null });
      await expect(client.refreshAccessToken()).resolves.toBeTruthy();
    }
  });

  it("access_type=online never returns a refresh_token, even with consent", async () => {
    const { tokens, outcome } = await connect(env.url, { accessType: "online" });
    expect(outcome.screens).toContain("consent");
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("asking for a scope not granted before shows consent again and yields a refresh token", async () => {
    const first = await connect(env.url, { scopes: ["openid", "email"] });
    const more = await connect(env.url, { browser: first.browser, scopes: ["openid", "email", GMAIL_SEND] });
    expect(more.outcome.screens).toEqual(["chooser", "consent"]);
    expect(more.tokens.refresh_token).toBeTruthy();
  });

  it("include_granted_scopes=true folds earlier grants into the new token", async () => {
    const first = await connect(env.url, { scopes: ["openid", GMAIL_SEND] });
    const second = await connect(env.url, {
      browser: first.browser,
      scopes: ["openid", "email"],
      extra: { include_granted_scopes: "true" },
    });
    expect(second.tokens.scope?.split(" ")).toEqual(expect.arrayContaining([GMAIL_SEND, USERINFO_EMAIL, "openid"]));
  });

  it("a new consent with gmail.send unticked takes nothing back: the earlier refresh token still renews with it", async () => {
    const first = await connect(env.url);
    const narrower = await connect(env.url, { browser: first.browser, prompt: "consent", untick: [GMAIL_SEND] });
    expect(narrower.tokens.scope).not.toContain(GMAIL_SEND);
    expect((await env.control.grants())[0]?.scopes).toContain(GMAIL_SEND);

    const earlier = oauthClient(env.url);
    earlier.setCredentials({ refresh_token: first.tokens.refresh_token ?? null });
    expect((await earlier.refreshAccessToken()).credentials.scope?.split(" ")).toContain(GMAIL_SEND);
    const later = oauthClient(env.url);
    later.setCredentials({ refresh_token: narrower.tokens.refresh_token ?? null });
    expect((await later.refreshAccessToken()).credentials.scope?.split(" ")).not.toContain(GMAIL_SEND);
  });

  it("withholdRefreshTokens simulates Google handing back none", async () => {
    await env.control.configure({ withholdRefreshTokens: true });
    const { tokens } = await connect(env.url, { prompt: "consent" });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("refresh returns a new access token and ID token but never a refresh_token", async () => {
    const { tokens } = await connect(env.url);
    const client = oauthClient(env.url);
    const events: Credentials[] = [];
    // The library later copies its old refresh_token into the same object, so snapshot the raw response here.
    client.on("tokens", (t) => events.push({ ...t }));
    client.setCredentials({ refresh_token: tokens.refresh_token ?? null });
    const { credentials, res } = await client.refreshAccessToken();
    const body = res?.data as Record<string, unknown>;
    expect(events[0]?.expiry_date).toBeGreaterThan(Date.now() + 3500_000);
    expect(body.token_type).toBe("Bearer");
    expect(body.id_token).toBeTruthy();
    expect(credentials.access_token).not.toBe(tokens.access_token);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty("refresh_token");
    await expect(
      client.verifyIdToken({ idToken: String(body.id_token), audience: DEV_CLIENT.id }),
    ).resolves.toBeTruthy();
  });

  it("accessTokenTtlSeconds shapes expires_in", async () => {
    await env.control.configure({ accessTokenTtlSeconds: 120 });
    const { tokens } = await connect(env.url);
    expect(tokens.expiry_date).toBeLessThan(Date.now() + 121_000);
  });

  it("revokeToken kills the grant's access and refresh tokens; the next authorization needs consent again", async () => {
    const { tokens, browser } = await connect(env.url);
    const client = oauthClient(env.url);
    await client.revokeToken(tokens.access_token ?? "");
    expect(await refreshError(tokens.refresh_token ?? "")).toEqual({
      message: "invalid_grant",
      status: 400,
      body: { error: "invalid_grant", error_description: "Token has been expired or revoked." },
    });
    const info = await fetch(`${env.url}/tokeninfo?access_token=${tokens.access_token}`);
    expect(info.status).toBe(400);
    expect(await info.json()).toEqual({ error: "invalid_token", error_description: "Invalid Value" });
    const again = await connect(env.url, { browser });
    expect(again.outcome.screens).toContain("consent");
    expect(again.tokens.refresh_token).toBeTruthy();
    await expect(client.revokeToken(tokens.refresh_token ?? "")).rejects.toMatchObject({ status: 400 });
  });

  it("revoking through the user's account page (control API) has the same effect", async () => {
    const { tokens } = await connect(env.url);
    await env.control.revokeAccess(DEV_USER.email);
    expect((await refreshError(tokens.refresh_token ?? "")).body).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
  });

  it("the 101st refresh token silently kills the oldest", async () => {
    const browser = new TestBrowser(env.url);
    const issued: string[] = [];
    for (let i = 0; i < 101; i++) {
      const { tokens } = await connect(env.url, { browser, prompt: "consent", scopes: ["openid", GMAIL_SEND] });
      issued.push(tokens.refresh_token ?? "");
    }
    expect(new Set(issued).size).toBe(101);
    expect((await refreshError(issued[0] ?? "")).body).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
    expect((await refreshError(issued[1] ?? "")).message).toBeUndefined();
    const list = await env.control.tokens();
    expect(list.refreshTokens.filter((t) => t.alive)).toHaveLength(100);
    expect(list.refreshTokens.find((t) => t.token === issued[0])?.revokedReason).toBe("evicted");
  }, 30_000);

  it("a Testing client's refresh tokens die 7 days after consent; sign-in-only grants are exempt", async () => {
    await env.control.addClient({ ...DEV_CLIENT, publishingStatus: "testing" });
    const gmail = await connect(env.url);
    const signInOnly = await connect(env.url, {
      scopes: ["openid", "email", "profile"],
      prompt: "consent",
      browser: gmail.browser,
    });

    await env.control.advanceClock(7 * 24 * 3600 - 60);
    expect((await refreshError(gmail.tokens.refresh_token ?? "")).message).toBeUndefined();
    await env.control.advanceClock(120);
    expect(await refreshError(gmail.tokens.refresh_token ?? "")).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "Token has been expired or revoked." },
    });
    expect((await refreshError(signInOnly.tokens.refresh_token ?? "")).message).toBeUndefined();
    const list = await env.control.tokens();
    expect(list.refreshTokens.find((t) => t.token === gmail.tokens.refresh_token)).toMatchObject({
      expired: true,
      alive: false,
    });
  });

  it("a production client's refresh token survives the same 8 days", async () => {
    const { tokens } = await connect(env.url);
    await env.control.advanceClock(8 * 24 * 3600);
    expect((await refreshError(tokens.refresh_token ?? "")).message).toBeUndefined();
  });

  it("access tokens expire on the emulator's clock", async () => {
    const { tokens } = await connect(env.url);
    const client = oauthClient(env.url);
    await expect(client.getTokenInfo(tokens.access_token ?? "")).resolves.toMatchObject({
      email: DEV_USER.email,
      aud: DEV_CLIENT.id,
    });
    await env.control.advanceClock(3600);
    await expect(client.getTokenInfo(tokens.access_token ?? "")).rejects.toMatchObject({ status: 400 });
  });

  it("tokeninfo returns every value as a string", async () => {
    const { tokens } = await connect(env.url);
    const body = (await (await fetch(`${env.url}/tokeninfo?access_token=${tokens.access_token}`)).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      aud: DEV_CLIENT.id,
      azp: DEV_CLIENT.id,
      sub: DEV_USER.sub,
      email: DEV_USER.email,
      email_verified: "true",
      access_type: "offline",
    });
    expect(typeof body.exp).toBe("string");
    expect(typeof body.expires_in).toBe("string");
    const idInfo = (await (await fetch(`${env.url}/tokeninfo?id_token=${tokens.id_token}`)).json()) as Record<
      string,
      unknown
    >;
    expect(idInfo).toMatchObject({ iss: env.url, sub: DEV_USER.sub, email_verified: "true", alg: "RS256" });
  });

  it("userinfo (v1, v3 and v2 shapes) answers with the profile; bad tokens get 401", async () => {
    const { tokens } = await connect(env.url, { scopes: EVERGREEN_SCOPES });
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    for (const path of ["/v1/userinfo", "/oauth2/v3/userinfo"]) {
      expect(await (await fetch(env.url + path, { headers })).json()).toEqual({
        sub: DEV_USER.sub,
        name: DEV_USER.name,
        given_name: "Ada",
        family_name: "Lovelace",
        picture: DEV_USER.picture,
        email: DEV_USER.email,
        email_verified: true,
      });
    }
    expect(await (await fetch(`${env.url}/oauth2/v2/userinfo`, { headers })).json()).toMatchObject({
      id: DEV_USER.sub,
      verified_email: true,
      email: DEV_USER.email,
    });
    const bad = await fetch(`${env.url}/v1/userinfo`, { headers: { authorization: "Bearer ya29.nope" } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: "invalid_request", error_description: "Invalid Credentials" });
  });
});
