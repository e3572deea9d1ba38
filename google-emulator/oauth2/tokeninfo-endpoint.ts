import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { EmulatorContext } from "../context";
import { bearerToken, formParams, json, type EmulatorRequest, type Reply } from "../http";
import { oauthError } from "./oauth-error";
import { formatGrantedScopes, USERINFO_EMAIL } from "./scopes";
import { findLiveAccessToken } from "./token-lifecycle";

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
    return json(200, {
      ...Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)])),
      alg: String(header.alg),
      kid: String(header.kid),
      typ: String(header.typ),
    });
  } catch {
    return oauthError(400, "invalid_token", "Invalid Value");
  }
}
