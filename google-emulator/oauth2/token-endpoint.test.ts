import { CodeChallengeMethod } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { DEV_CLIENT } from "../seed";
import { EVERGREEN_SCOPES, oauthClient, REDIRECT_URI, TestBrowser } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

/** Runs the screens and returns a fresh code, with the PKCE verifier when one was used. */
async function authorizationCode(options: { pkce?: "S256" | "plain" | false } = {}) {
  const client = oauthClient(env.url);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const pkce = options.pkce ?? "S256";
  const url = client.generateAuthUrl({
    scope: EVERGREEN_SCOPES,
    access_type: "offline",
    ...(pkce === "S256" ? { code_challenge: codeChallenge, code_challenge_method: CodeChallengeMethod.S256 } : {}),
    ...(pkce === "plain" ? { code_challenge: codeVerifier, code_challenge_method: CodeChallengeMethod.Plain } : {}),
  });
  const outcome = await new TestBrowser(env.url).authorize(url);
  if (outcome.kind !== "redirect") throw new Error("expected redirect");
  return { client, code: outcome.params.get("code") ?? "", codeVerifier };
}

async function tokenError(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error("expected the token request to fail");
    },
    (e: unknown) => e,
  )) as { message: string; status: number; response: { data: unknown } };
  return { message: error.message, status: error.status, body: error.response.data };
}

function postToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${env.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
}

describe("token endpoint", () => {
  it("codes are single-use: the second redemption gets invalid_grant Bad Request", async () => {
    const { client, code, codeVerifier } = await authorizationCode();
    await client.getToken({ code, codeVerifier });
    expect(await tokenError(client.getToken({ code, codeVerifier }))).toEqual({
      message: "invalid_grant",
      status: 400,
      body: { error: "invalid_grant", error_description: "Bad Request" },
    });
  });

  it("codes expire after authCodeTtlSeconds", async () => {
    const { client, code, codeVerifier } = await authorizationCode();
    await env.control.advanceClock(601);
    expect((await tokenError(client.getToken({ code, codeVerifier }))).body).toEqual({
      error: "invalid_grant",
      error_description: "Bad Request",
    });
  });

  it("a code that was not URL-decoded is malformed", async () => {
    const { client, code, codeVerifier } = await authorizationCode();
    expect((await tokenError(client.getToken({ code: encodeURIComponent(code), codeVerifier }))).body).toEqual({
      error: "invalid_grant",
      error_description: "Malformed auth code.",
    });
  });

  it("PKCE: missing, wrong and unneeded verifiers", async () => {
    const s256 = await authorizationCode();
    expect((await tokenError(s256.client.getToken({ code: s256.code }))).body).toEqual({
      error: "invalid_grant",
      error_description: "Missing code verifier.",
    });
    expect((await tokenError(s256.client.getToken({ code: s256.code, codeVerifier: "x".repeat(64) }))).body).toEqual({
      error: "invalid_grant",
      error_description: "Invalid code verifier.",
    });
    await expect(s256.client.getToken({ code: s256.code, codeVerifier: s256.codeVerifier })).resolves.toBeTruthy();

    const none = await authorizationCode({ pkce: false });
    expect((await tokenError(none.client.getToken({ code: none.code, codeVerifier: "y".repeat(64) }))).body).toEqual({
      error: "invalid_grant",
      error_description: "code_verifier or verifier is not needed",
    });
    // An empty code_verifier, as old library versions sent, is tolerated.
    const empty = await postToken({
      grant_type: "authorization_code",
      code: none.code,
      redirect_uri: REDIRECT_URI,
      client_id: DEV_CLIENT.id,
      client_secret: DEV_CLIENT.secret,
      code_verifier: "",
    });
    expect(empty.status).toBe(200);

    const plain = await authorizationCode({ pkce: "plain" });
    await expect(plain.client.getToken({ code: plain.code, codeVerifier: plain.codeVerifier })).resolves.toBeTruthy();
  });

  it("redirect_uri must repeat the authorization request's exactly", async () => {
    const { client, code, codeVerifier } = await authorizationCode();
    expect(
      await tokenError(client.getToken({ code, codeVerifier, redirect_uri: DEV_CLIENT.redirectUris[1] ?? "" })),
    ).toMatchObject({ status: 400, body: { error: "redirect_uri_mismatch", error_description: "Bad Request" } });
  });

  it("client authentication: wrong secret and unknown client are 401 invalid_client; a missing secret is 400", async () => {
    const { code, codeVerifier } = await authorizationCode();
    const wrongSecret = oauthClient(env.url, { id: DEV_CLIENT.id, secret: "nope" });
    expect(await tokenError(wrongSecret.getToken({ code, codeVerifier }))).toEqual({
      message: "invalid_client",
      status: 401,
      body: { error: "invalid_client", error_description: "Unauthorized" },
    });
    const unknown = oauthClient(env.url, { id: "ghost.apps.googleusercontent.com", secret: "x" });
    expect(await tokenError(unknown.getToken({ code, codeVerifier }))).toMatchObject({
      status: 401,
      body: { error: "invalid_client", error_description: "The OAuth client was not found." },
    });
    const missingSecret = await postToken({
      grant_type: "authorization_code",
      code,
      client_id: DEV_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      code_verifier: codeVerifier,
    });
    expect([missingSecret.status, await missingSecret.json()]).toEqual([
      400,
      { error: "invalid_request", error_description: "client_secret is missing." },
    ]);
    const noClient = await postToken({ grant_type: "authorization_code", code });
    expect(await noClient.json()).toEqual({
      error: "invalid_request",
      error_description: "Could not determine client ID from request.",
    });
    // The failed attempts did not burn the code.
    const basic = await postToken(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier },
      { authorization: `Basic ${Buffer.from(`${DEV_CLIENT.id}:${DEV_CLIENT.secret}`).toString("base64")}` },
    );
    expect(basic.status).toBe(200);
    expect(basic.headers.get("content-type")).toContain("application/json");
  });

  it("grant_type missing or unsupported", async () => {
    const missing = await postToken({ client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret });
    expect([missing.status, await missing.json()]).toEqual([
      400,
      { error: "invalid_request", error_description: "Required parameter is missing: grant_type" },
    ]);
    const unsupported = await postToken({
      grant_type: "password",
      client_id: DEV_CLIENT.id,
      client_secret: DEV_CLIENT.secret,
    });
    expect([unsupported.status, await unsupported.json()]).toEqual([
      400,
      { error: "unsupported_grant_type", error_description: "Invalid grant_type: password" },
    ]);
  });

  it("an unknown refresh token is invalid_grant Bad Request; a refresh token is bound to its client", async () => {
    const { client, code, codeVerifier } = await authorizationCode();
    const { tokens } = await client.getToken({ code, codeVerifier });
    client.setCredentials({ refresh_token: "1//0garbage" });
    expect((await tokenError(client.refreshAccessToken())).body).toEqual({
      error: "invalid_grant",
      error_description: "Bad Request",
    });
    await env.control.addClient({ id: "other", secret: "s", redirectUris: ["http://localhost:9/cb"] });
    const other = oauthClient(env.url, { id: "other", secret: "s" });
    other.setCredentials({ refresh_token: tokens.refresh_token ?? null });
    expect((await tokenError(other.refreshAccessToken())).body).toMatchObject({ error: "invalid_grant" });
  });

  it("legacy token paths answer like /token", async () => {
    for (const path of ["/oauth2/v4/token", "/o/oauth2/token"]) {
      const response = await fetch(env.url + path, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "password" }),
      });
      expect(response.status).toBe(400);
    }
  });
});
