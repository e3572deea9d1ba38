import { createHash, timingSafeEqual } from "node:crypto";
import type { EmulatorContext } from "../context";
import { formParams, json, type EmulatorRequest, type Reply } from "../http";
import type { AccessToken, Client, User } from "../state";
import { oauthError } from "./oauth-error";
import { formatGrantedScopes, hasIdentityScope, USERINFO_EMAIL, USERINFO_PROFILE } from "./scopes";
import { accessTokenHash, signIdToken } from "./signing-key";
import { emitTokenRevoked } from "../risc/transmitter";
import { isRefreshTokenAlive, issueAccessToken, issueRefreshToken } from "./token-lifecycle";

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

type ClientAuth = { ok: true; client: Client } | { ok: false; reply: Reply };

function authenticateClient(ctx: EmulatorContext, req: EmulatorRequest, form: URLSearchParams): ClientAuth {
  let clientId = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret") ?? undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    // RFC 6749 §2.3.1 form-encodes both halves before base64; plain values decode unchanged.
    const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, " "));
    clientId = decode(decoded.slice(0, colon < 0 ? decoded.length : colon));
    secret = colon < 0 ? undefined : decode(decoded.slice(colon + 1));
  }
  if (!clientId)
    return { ok: false, reply: oauthError(400, "invalid_request", "Could not determine client ID from request.") };
  const client = ctx.state.clients.get(clientId);
  if (!client) return { ok: false, reply: oauthError(401, "invalid_client", "The OAuth client was not found.") };
  if (!secret) return { ok: false, reply: oauthError(400, "invalid_request", "client_secret is missing.") };
  if (!safeEqual(secret, client.secret)) return { ok: false, reply: oauthError(401, "invalid_client", "Unauthorized") };
  return { ok: true, client };
}

export async function handleToken(ctx: EmulatorContext, req: EmulatorRequest): Promise<Reply> {
  const form = formParams(req);
  const grantType = form.get("grant_type");
  if (!grantType) return oauthError(400, "invalid_request", "Required parameter is missing: grant_type");
  if (grantType !== "authorization_code" && grantType !== "refresh_token")
    return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
  const auth = authenticateClient(ctx, req, form);
  if (!auth.ok) return auth.reply;
  return grantType === "authorization_code"
    ? exchangeCode(ctx, auth.client, form)
    : refreshAccessToken(ctx, auth.client, form);
}

async function exchangeCode(ctx: EmulatorContext, client: Client, form: URLSearchParams): Promise<Reply> {
  const { state } = ctx;
  const codeValue = form.get("code");
  if (!codeValue) return oauthError(400, "invalid_request", "Missing required parameter: code");
  if (!codeValue.startsWith("4/")) return oauthError(400, "invalid_grant", "Malformed auth code.");
  const code = state.codes.get(codeValue);
  if (!code || code.redeemedAt !== undefined || code.expiresAt <= state.clock.now() || code.clientId !== client.id) {
    return oauthError(400, "invalid_grant", "Bad Request");
  }
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) return oauthError(400, "invalid_request", "Missing required parameter: redirect_uri");
  if (redirectUri !== code.redirectUri) return oauthError(400, "redirect_uri_mismatch", "Bad Request");
  const verifier = form.get("code_verifier") ?? "";
  if (code.codeChallenge === undefined) {
    // Old google-auth-library versions always sent an empty code_verifier; Google tolerates that.
    if (verifier !== "") return oauthError(400, "invalid_grant", "code_verifier or verifier is not needed");
  } else {
    if (verifier === "") return oauthError(400, "invalid_grant", "Missing code verifier.");
    const derived =
      code.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
    if (!safeEqual(derived, code.codeChallenge)) return oauthError(400, "invalid_grant", "Invalid code verifier.");
  }
  const user = state.users.get(code.userSub);
  if (!user) return oauthError(400, "invalid_grant", "Bad Request");
  code.redeemedAt = state.clock.now();

  const withRefresh = code.accessType === "offline" && code.consentShown && !state.config.withholdRefreshTokens;
  const refresh = withRefresh
    ? issueRefreshToken(
        state,
        { userSub: user.sub, clientId: client.id, scopes: code.scopes, consentAt: code.createdAt },
        (evicted) => emitTokenRevoked(ctx, evicted),
      )
    : undefined;
  const access = issueAccessToken(state, {
    userSub: user.sub,
    clientId: client.id,
    scopes: code.scopes,
    accessType: code.accessType,
    ...(refresh ? { refreshToken: refresh.token } : {}),
  });
  return json(200, {
    access_token: access.token,
    expires_in: state.config.accessTokenTtlSeconds,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    scope: formatGrantedScopes(code.scopes),
    token_type: "Bearer",
    ...(hasIdentityScope(code.scopes) ? { id_token: await idTokenFor(ctx, user, access, code.nonce) } : {}),
  });
}

async function refreshAccessToken(ctx: EmulatorContext, client: Client, form: URLSearchParams): Promise<Reply> {
  const { state } = ctx;
  const value = form.get("refresh_token");
  if (!value) return oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
  const refresh = state.refreshTokens.get(value);
  if (!refresh || refresh.clientId !== client.id) return oauthError(400, "invalid_grant", "Bad Request");
  const user = state.users.get(refresh.userSub);
  if (!user || !isRefreshTokenAlive(state, refresh) || state.risc.isDisabled(user.sub))
    return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
  refresh.lastUsedAt = state.clock.now();
  const access = issueAccessToken(state, {
    userSub: user.sub,
    clientId: client.id,
    scopes: refresh.scopes,
    accessType: "offline",
    refreshToken: refresh.token,
  });
  return json(200, {
    access_token: access.token,
    expires_in: state.config.accessTokenTtlSeconds,
    scope: formatGrantedScopes(refresh.scopes),
    token_type: "Bearer",
    ...(refresh.scopes.includes("openid") ? { id_token: await idTokenFor(ctx, user, access) } : {}),
  });
}

async function idTokenFor(ctx: EmulatorContext, user: User, access: AccessToken, nonce?: string): Promise<string> {
  const iat = ctx.state.clock.nowSeconds();
  const hasEmail = access.scopes.includes(USERINFO_EMAIL);
  const hasProfile = access.scopes.includes(USERINFO_PROFILE);
  return signIdToken(ctx.key, {
    iss: ctx.baseUrl,
    azp: access.clientId,
    aud: access.clientId,
    sub: user.sub,
    ...(hasEmail ? { email: user.email, email_verified: user.emailVerified } : {}),
    at_hash: accessTokenHash(access.token),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(hasProfile
      ? { name: user.name, picture: user.picture, given_name: user.givenName, family_name: user.familyName }
      : {}),
    iat,
    exp: iat + ctx.state.config.idTokenTtlSeconds,
  });
}
