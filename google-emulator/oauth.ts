import { createHash, timingSafeEqual } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { EmulatorContext } from "./context";
import { bearerToken, formParams, json, type EmulatorRequest, type Reply } from "./http";
import { accessTokenHash, jwks, pemCertificates, signIdToken } from "./keys";
import { formatGrantedScopes, hasIdentityScope, USERINFO_EMAIL, USERINFO_PROFILE } from "./scopes";
import type { AccessToken, Client, User } from "./state";
import { findLiveAccessToken, isAccessTokenAlive, isRefreshTokenAlive, issueAccessToken, issueRefreshToken, revokeGrant } from "./tokens";

const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });
const KEY_CACHE = { "Cache-Control": "public, max-age=21600, must-revalidate, no-transform" };

export function discoveryDocument(ctx: EmulatorContext): Reply {
  const base = ctx.baseUrl;
  return json(
    200,
    {
      issuer: base,
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "email", "profile"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      claims_supported: ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name", "picture", "sub"],
      code_challenge_methods_supported: ["plain", "S256"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      ...(ctx.state.config.issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
    },
    { "Cache-Control": "public, max-age=3600" },
  );
}

export function jwksDocument(ctx: EmulatorContext): Reply {
  return json(200, jwks(ctx.key), KEY_CACHE);
}

export function pemCertsDocument(ctx: EmulatorContext): Reply {
  return json(200, pemCertificates(ctx.key), KEY_CACHE);
}

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
  if (!clientId) return { ok: false, reply: oauthError(400, "invalid_request", "Could not determine client ID from request.") };
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
  if (grantType !== "authorization_code" && grantType !== "refresh_token") return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
  const auth = authenticateClient(ctx, req, form);
  if (!auth.ok) return auth.reply;
  return grantType === "authorization_code" ? exchangeCode(ctx, auth.client, form) : refreshAccessToken(ctx, auth.client, form);
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
    const derived = code.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
    if (!safeEqual(derived, code.codeChallenge)) return oauthError(400, "invalid_grant", "Invalid code verifier.");
  }
  const user = state.users.get(code.userSub);
  if (!user) return oauthError(400, "invalid_grant", "Bad Request");
  code.redeemedAt = state.clock.now();

  const withRefresh = code.accessType === "offline" && code.consentShown && !state.config.withholdRefreshTokens;
  const refresh = withRefresh ? issueRefreshToken(state, { userSub: user.sub, clientId: client.id, scopes: code.scopes, consentAt: code.createdAt }) : undefined;
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
  if (!user || !isRefreshTokenAlive(state, refresh)) return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
  refresh.lastUsedAt = state.clock.now();
  const access = issueAccessToken(state, { userSub: user.sub, clientId: client.id, scopes: refresh.scopes, accessType: "offline", refreshToken: refresh.token });
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
    ...(hasProfile ? { name: user.name, picture: user.picture, given_name: user.givenName, family_name: user.familyName } : {}),
    iat,
    exp: iat + ctx.state.config.idTokenTtlSeconds,
  });
}

export function handleRevoke(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const { state } = ctx;
  const value = formParams(req).get("token");
  if (!value) return oauthError(400, "invalid_request", "Missing required parameter: token");
  const access = state.accessTokens.get(value);
  const refresh = state.refreshTokens.get(value);
  const owner = access && isAccessTokenAlive(state, access) ? access : refresh && isRefreshTokenAlive(state, refresh) ? refresh : undefined;
  if (!owner) return oauthError(400, "invalid_token", "Token expired or revoked");
  revokeGrant(state, owner.userSub, owner.projectId);
  return json(200, {});
}

export async function handleTokenInfo(ctx: EmulatorContext, req: EmulatorRequest): Promise<Reply> {
  const form = formParams(req);
  const idToken = form.get("id_token");
  if (idToken) return idTokenInfo(ctx, idToken);
  const access = findLiveAccessToken(ctx.state, form.get("access_token") ?? bearerToken(req));
  const user = access && ctx.state.users.get(access.userSub);
  if (!access || !user) return oauthError(400, "invalid_token", "Invalid Value");
  const hasEmail = access.scopes.includes(USERINFO_EMAIL);
  return json(200, {
    azp: access.clientId,
    aud: access.clientId,
    sub: user.sub,
    scope: formatGrantedScopes(access.scopes),
    exp: String(Math.floor(access.expiresAt / 1000)),
    expires_in: String(Math.max(0, Math.floor((access.expiresAt - ctx.state.clock.now()) / 1000))),
    ...(hasEmail ? { email: user.email, email_verified: String(user.emailVerified) } : {}),
    access_type: access.accessType,
  });
}

async function idTokenInfo(ctx: EmulatorContext, idToken: string): Promise<Reply> {
  try {
    if (decodeProtectedHeader(idToken).kid !== ctx.key.kid) throw new Error("unknown key");
    const key = await importJWK(ctx.key.publicJwk, "RS256");
    await jwtVerify(idToken, key, { issuer: ctx.baseUrl, currentDate: new Date(ctx.state.clock.now()) });
    const claims = decodeJwt(idToken);
    const header = decodeProtectedHeader(idToken);
    return json(200, { ...Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)])), alg: String(header.alg), kid: String(header.kid), typ: String(header.typ) });
  } catch {
    return oauthError(400, "invalid_token", "Invalid Value");
  }
}

export function handleUserInfo(ctx: EmulatorContext, req: EmulatorRequest, shape: "oidc" | "v2"): Reply {
  const access = findLiveAccessToken(ctx.state, bearerToken(req));
  const user = access && ctx.state.users.get(access.userSub);
  if (!access || !user) {
    return json(401, { error: "invalid_request", error_description: "Invalid Credentials" }, { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
  }
  const email = access.scopes.includes(USERINFO_EMAIL);
  const profile = access.scopes.includes(USERINFO_PROFILE);
  if (shape === "v2") {
    return json(200, {
      id: user.sub,
      ...(email ? { email: user.email, verified_email: user.emailVerified } : {}),
      ...(profile ? { name: user.name, given_name: user.givenName, family_name: user.familyName, picture: user.picture } : {}),
    });
  }
  return json(200, {
    sub: user.sub,
    ...(profile ? { name: user.name, given_name: user.givenName, family_name: user.familyName, picture: user.picture } : {}),
    ...(email ? { email: user.email, email_verified: user.emailVerified } : {}),
  });
}
