import { OAuth2Client } from "google-auth-library";
import { getEnv, type Env } from "../platform/env";

/**
 * The only code that knows Google's OAuth URLs. Every one derives from GOOGLE_BASE_URL: unset means
 * Google's own hosts; set means a stand-in (the local emulator) that serves Google's paths from its root.
 */

export const GMAIL_SEND_SCOPE = "https://www.googleapis.com/auth/gmail.send";
export const REQUESTED_SCOPES = ["openid", "email", "profile", GMAIL_SEND_SCOPE] as const;
/** Headers of the user's mail, never bodies: reply detection's opt-in (a restricted scope; see the README). */
export const GMAIL_METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.metadata";

// Scopes under which Gmail accepts users.messages.send (Gmail API discovery document).
const SEND_CAPABLE_SCOPES = new Set([
  GMAIL_SEND_SCOPE,
  "https://mail.google.com/",
  "https://www.googleapis.com/auth/gmail.compose",
  "https://www.googleapis.com/auth/gmail.modify",
]);

// Scopes under which Gmail answers users.threads.get with format=metadata (Gmail API discovery document).
const THREAD_HEADER_SCOPES = new Set([
  GMAIL_METADATA_SCOPE,
  "https://mail.google.com/",
  "https://www.googleapis.com/auth/gmail.readonly",
  "https://www.googleapis.com/auth/gmail.modify",
]);

export function grantedScopes(scope: string | null | undefined): string[] {
  return (scope ?? "").split(/[\s+]+/).filter(Boolean);
}

export function canSendMail(scope: string | null | undefined): boolean {
  return grantedScopes(scope).some((granted) => SEND_CAPABLE_SCOPES.has(granted));
}

export function canReadThreadHeaders(scope: string | null | undefined): boolean {
  return grantedScopes(scope).some((granted) => THREAD_HEADER_SCOPES.has(granted));
}

export type GoogleEndpoints = {
  issuer: string;
  authorization: string;
  token: string;
  revoke: string;
  userinfo: string;
  tokenInfo: string;
  pemCerts: string;
  jwks: string;
  /** Root for the Gmail API and its upload endpoint. */
  gmail: string;
  /** Cross-Account Protection: the discovery document (issuer, jwks_uri) and the stream management API root. */
  riscConfiguration: string;
  riscApi: string;
};

/** `baseUrl` undefined means real Google. */
export function googleEndpoints(baseUrl: string | undefined): GoogleEndpoints {
  if (!baseUrl) {
    return {
      issuer: "https://accounts.google.com",
      authorization: "https://accounts.google.com/o/oauth2/v2/auth",
      token: "https://oauth2.googleapis.com/token",
      revoke: "https://oauth2.googleapis.com/revoke",
      userinfo: "https://openidconnect.googleapis.com/v1/userinfo",
      tokenInfo: "https://oauth2.googleapis.com/tokeninfo",
      pemCerts: "https://www.googleapis.com/oauth2/v1/certs",
      jwks: "https://www.googleapis.com/oauth2/v3/certs",
      gmail: "https://gmail.googleapis.com/",
      riscConfiguration: "https://accounts.google.com/.well-known/risc-configuration",
      riscApi: "https://risc.googleapis.com/v1beta",
    };
  }
  return {
    issuer: baseUrl,
    authorization: `${baseUrl}/o/oauth2/v2/auth`,
    token: `${baseUrl}/token`,
    revoke: `${baseUrl}/revoke`,
    userinfo: `${baseUrl}/v1/userinfo`,
    tokenInfo: `${baseUrl}/tokeninfo`,
    pemCerts: `${baseUrl}/oauth2/v1/certs`,
    jwks: `${baseUrl}/oauth2/v3/certs`,
    gmail: `${baseUrl}/`,
    riscConfiguration: `${baseUrl}/.well-known/risc-configuration`,
    riscApi: `${baseUrl}/v1beta`,
  };
}

const REQUEST_TIMEOUT_MS = 10_000;

/** google-auth-library's client, pointed at whichever Google this deployment uses (a redirect URI only for code exchanges). */
export function createOAuthClient(google: Env["google"] = getEnv().google, redirectUri?: string): OAuth2Client {
  const endpoints = googleEndpoints(google.baseUrl);
  return new OAuth2Client({
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: endpoints.authorization,
      oauth2TokenUrl: endpoints.token,
      oauth2RevokeUrl: endpoints.revoke,
      tokenInfoUrl: endpoints.tokenInfo,
      oauth2FederatedSignonPemCertsUrl: endpoints.pemCerts,
      oauth2FederatedSignonJwkCertsUrl: endpoints.jwks,
    },
    issuers: [endpoints.issuer, "accounts.google.com"],
    transporterOptions: { timeout: REQUEST_TIMEOUT_MS },
  });
}

// Only a summary of the client library's error is kept: its request config holds the refresh token
// and client secret in the body, which its own redaction misses, and a logged `cause` would print them.

/** Google could not be reached or failed on its side (no answer, timeout, 408, 429, 5xx); worth retrying later. */
export class GoogleUnavailableError extends Error {
  constructor(failure: unknown) {
    super(`Google did not answer: ${describeFailure(failure)}`);
    this.name = "GoogleUnavailableError";
  }
}

/** Google answered and refused (a 4xx other than "already invalid"); retrying the same request cannot help. */
export class GoogleRejectedError extends Error {
  constructor(failure: unknown) {
    super(`Google refused the request: ${describeFailure(failure)}`);
    this.name = "GoogleRejectedError";
  }
}

type GaxiosLikeError = {
  status?: number;
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown };
};

function describeFailure(error: unknown): string {
  const failure = error as GaxiosLikeError;
  const status = failure.response?.status ?? failure.status;
  const body = failure.response?.data as { error?: unknown } | undefined;
  const code = typeof body?.error === "string" ? ` ${body.error}` : "";
  return status ? `HTTP ${status}${code}` : (failure.code ?? failure.message ?? "no response");
}

const isTransientStatus = (status: number | undefined) =>
  status === undefined || status === 408 || status === 429 || status >= 500;

export type RevokeResult = "revoked" | "already-invalid";

/**
 * Revokes a token and with it the user's whole grant to Evergreen. A token Google no longer knows
 * counts as revoked: the outcome the user asked for is already true. Throws GoogleUnavailableError
 * (retry later) or GoogleRejectedError (do not retry).
 */
export async function revokeGoogleToken(token: string, google: Env["google"] = getEnv().google): Promise<RevokeResult> {
  try {
    await createOAuthClient(google).revokeToken(token);
    return "revoked";
  } catch (error) {
    const response = (error as GaxiosLikeError).response;
    const body = response?.data as { error?: string } | undefined;
    if (response?.status === 400 && body?.error === "invalid_token") return "already-invalid";
    if (isTransientStatus(response?.status)) throw new GoogleUnavailableError(error);
    throw new GoogleRejectedError(error);
  }
}

/** Google refused the refresh token itself (`invalid_grant`): only a new consent by the user helps. */
export class GoogleGrantError extends Error {
  constructor(readonly description: string | undefined) {
    super(`Google refused the refresh token: invalid_grant${description ? ` (${description})` : ""}`);
    this.name = "GoogleGrantError";
  }
}

export type RefreshedTokens = { accessToken: string; expiresAt: number; scope?: string; idToken?: string };

/**
 * Trades a refresh token for a new access token. google-auth-library retries 408/429/5xx itself before
 * giving up. Throws GoogleGrantError (the user must reconnect), GoogleUnavailableError (try later) or
 * GoogleRejectedError (our OAuth client is misconfigured: an operator problem).
 */
export async function refreshGoogleToken(
  refreshToken: string,
  google: Env["google"] = getEnv().google,
): Promise<RefreshedTokens> {
  const client = createOAuthClient(google);
  client.setCredentials({ refresh_token: refreshToken });
  try {
    const { token } = await client.getAccessToken();
    const { expiry_date, scope, id_token } = client.credentials;
    if (!token || !expiry_date) throw new Error("Google answered a refresh without an access token or expiry");
    return {
      accessToken: token,
      expiresAt: Math.floor(expiry_date / 1000),
      scope: scope ?? undefined,
      idToken: id_token ?? undefined,
    };
  } catch (error) {
    const response = (error as GaxiosLikeError).response;
    const body = response?.data as { error?: string; error_description?: string } | undefined;
    if (response?.status === 400 && body?.error === "invalid_grant") throw new GoogleGrantError(body.error_description);
    if (isTransientStatus(response?.status)) throw new GoogleUnavailableError(error);
    throw new GoogleRejectedError(error);
  }
}
