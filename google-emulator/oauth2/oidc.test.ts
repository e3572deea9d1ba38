import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { GMAIL_SEND } from "./scopes";
import { DEV_CLIENT, DEV_USER } from "../seed";
import { REDIRECT_URI, TestBrowser } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();
const client: oauth.Client = { client_id: DEV_CLIENT.id };
const options = { [oauth.allowInsecureRequests]: true };

async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(env.url);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...options, algorithm: "oidc" }),
  );
}

describe("standards OIDC client (oauth4webapi)", () => {
  it("discovery advertises Google's endpoints under the emulator's issuer", async () => {
    const as = await discover();
    expect(as).toMatchObject({
      issuer: env.url,
      authorization_endpoint: `${env.url}/o/oauth2/v2/auth`,
      token_endpoint: `${env.url}/token`,
      userinfo_endpoint: `${env.url}/v1/userinfo`,
      revocation_endpoint: `${env.url}/revoke`,
      jwks_uri: `${env.url}/oauth2/v3/certs`,
      code_challenge_methods_supported: ["plain", "S256"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  });

  it("code flow with PKCE and client_secret_basic; the ID token validates and its signature checks against the JWKS", async () => {
    const as = await discover();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const authUrl = new URL(as.authorization_endpoint ?? "");
    authUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: `openid email profile ${GMAIL_SEND}`,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      access_type: "offline",
      prompt: "consent",
      state,
      nonce,
    }).toString();

    const outcome = await new TestBrowser(env.url).authorize(authUrl.toString());
    if (outcome.kind !== "redirect") throw new Error("expected a redirect");
    const params = oauth.validateAuthResponse(as, client, outcome.url, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(DEV_CLIENT.secret),
      params,
      REDIRECT_URI,
      codeVerifier,
      options,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    expect(result.refresh_token).toMatch(/^1\/\/0/);
    const claims = oauth.getValidatedIdTokenClaims(result);
    expect(claims).toMatchObject({
      iss: env.url,
      aud: DEV_CLIENT.id,
      sub: DEV_USER.sub,
      email: DEV_USER.email,
      email_verified: true,
      nonce,
    });

    const jwks = createRemoteJWKSet(new URL(as.jwks_uri ?? ""));
    const { protectedHeader } = await jwtVerify(result.id_token ?? "", jwks, {
      issuer: env.url,
      audience: DEV_CLIENT.id,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(protectedHeader.kid).toMatch(/^[0-9a-f]{40}$/);

    const userInfo = await oauth.processUserInfoResponse(
      as,
      client,
      claims?.sub ?? "",
      await oauth.userInfoRequest(as, client, result.access_token, options),
    );
    expect(userInfo).toMatchObject({ sub: DEV_USER.sub, email: DEV_USER.email, name: DEV_USER.name });

    const refreshResponse = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(DEV_CLIENT.secret),
      result.refresh_token ?? "",
      options,
    );
    const refreshed = await oauth.processRefreshTokenResponse(as, client, refreshResponse);
    expect(refreshed).not.toHaveProperty("refresh_token");
    expect(refreshed).toMatchObject({ token_type: "bearer", expires_in: 3599 });
    expect(oauth.getValidatedIdTokenClaims(refreshed)).toMatchObject({ sub: DEV_USER.sub });
  });

  it("a tampered ID token fails the JWKS signature check", async () => {
    const as = await discover();
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri ?? ""));
    const response = await fetch(`${env.url}/oauth2/v3/certs`);
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const { keys } = (await response.json()) as {
      keys: { kty: string; alg: string; use: string; kid: string; n: string; e: string }[];
    };
    expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
    const forged = [
      "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ",
      Buffer.from(JSON.stringify({ iss: env.url })).toString("base64url"),
      "AAAA",
    ].join(".");
    await expect(jwtVerify(forged, jwks)).rejects.toThrow();
  });

  it("the PEM endpoint serves X.509 certificates keyed by kid", async () => {
    const { X509Certificate } = await import("node:crypto");
    const certs = (await (await fetch(`${env.url}/oauth2/v1/certs`)).json()) as Record<string, string>;
    const [kid, pem] = Object.entries(certs)[0] ?? [];
    const { keys } = (await (await fetch(`${env.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    expect(kid).toBe(keys[0]?.kid);
    const certificate = new X509Certificate(pem ?? "");
    expect(certificate.verify(certificate.publicKey)).toBe(true);
  });
});
