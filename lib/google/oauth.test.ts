import { describe, expect, it } from "vitest";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { canSendMail, GMAIL_SEND_SCOPE, googleEndpoints, GoogleUnavailableError, revokeGoogleToken } from "./oauth";

const google = setupEmulator();
const config = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });

describe("one switch to Google", () => {
  it("derives every endpoint from GOOGLE_BASE_URL, and uses Google's own hosts without it", () => {
    expect(googleEndpoints("http://127.0.0.1:4010")).toMatchObject({
      issuer: "http://127.0.0.1:4010",
      authorization: "http://127.0.0.1:4010/o/oauth2/v2/auth",
      token: "http://127.0.0.1:4010/token",
      gmail: "http://127.0.0.1:4010/",
    });
    expect(
      Object.values(googleEndpoints(undefined)).every((url) =>
        /^https:\/\/[a-z0-9.]+\.(google|googleapis)\.com(\/|$)/.test(url),
      ),
    ).toBe(true);
  });

  it("agrees with the emulator's discovery document", async () => {
    const discovery = (await (await fetch(`${google.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    const endpoints = googleEndpoints(google.url);
    expect(discovery).toMatchObject({
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      revocation_endpoint: endpoints.revoke,
      jwks_uri: endpoints.jwks,
    });
  });
});

describe("the send permission", () => {
  it.each([
    [`openid ${GMAIL_SEND_SCOPE}`, true],
    ["openid https://mail.google.com/", true],
    ["openid https://www.googleapis.com/auth/userinfo.email", false],
    ["https://www.googleapis.com/auth/gmail.readonly", false],
    [null, false],
  ])("%j can send: %s", (scope, expected) => {
    expect(canSendMail(scope)).toBe(expected);
  });
});

describe("revoking at Google (google-auth-library against the emulator)", () => {
  it("revokes the whole grant: the refresh token stops working", async () => {
    const { tokens, client } = await connect(google.url);
    expect(await revokeGoogleToken(tokens.refresh_token!, config())).toBe("revoked");
    client.setCredentials({ refresh_token: tokens.refresh_token });
    await expect(client.getAccessToken()).rejects.toThrow("invalid_grant");
  });

  it("counts a token Google no longer knows as already revoked", async () => {
    const { tokens } = await connect(google.url);
    await revokeGoogleToken(tokens.refresh_token!, config());
    expect(await revokeGoogleToken(tokens.refresh_token!, config())).toBe("already-invalid");
  });

  it("reports Google unreachable when the connection drops, so the revoke can be retried", async () => {
    const { tokens } = await connect(google.url);
    await google.control.addFault({ endpoint: "revoke", count: 5, mode: "drop-before" });
    await expect(revokeGoogleToken(tokens.refresh_token!, config())).rejects.toBeInstanceOf(GoogleUnavailableError);
  });

  it("reports Google unavailable on repeated 503s, after the library's own retries", async () => {
    const { tokens } = await connect(google.url);
    await google.control.addFault({ endpoint: "revoke", count: 10, status: 503 });
    await expect(revokeGoogleToken(tokens.refresh_token!, config())).rejects.toThrow("Google did not answer: HTTP 503");
  });
});

describe("errors from Google keep no secret of the request", () => {
  it("print neither the refresh token nor the client secret the failed request carried, even when logged whole", async () => {
    const { inspect } = await import("node:util");
    const failed = Object.assign(new Error("request failed"), {
      status: 503,
      config: { body: "grant_type=refresh_token&refresh_token=1//secret-refresh&client_secret=GOCSPX-secret" },
      response: { status: 503, data: { error: "backendError" } },
    });
    const error = new GoogleUnavailableError(failed);
    expect(error.message).toBe("Google did not answer: HTTP 503 backendError");
    const logged = inspect(error, { depth: 10 }) + JSON.stringify(error);
    expect(logged).not.toContain("secret-refresh");
    expect(logged).not.toContain("GOCSPX-secret");
  });
});
