import type { EmulatorContext } from "../context";
import { bearerToken, json, type EmulatorRequest, type Reply } from "../http";
import { USERINFO_EMAIL, USERINFO_PROFILE } from "./scopes";
import { findLiveAccessToken } from "./token-lifecycle";

export function handleUserInfo(ctx: EmulatorContext, req: EmulatorRequest, shape: "oidc" | "v2"): Reply {
  const access = findLiveAccessToken(ctx.state, bearerToken(req));
  const user = access && ctx.state.users.get(access.userSub);
  if (!access || !user) {
    return json(
      401,
      { error: "invalid_request", error_description: "Invalid Credentials" },
      { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  }
  const email = access.scopes.includes(USERINFO_EMAIL);
  const profile = access.scopes.includes(USERINFO_PROFILE);
  if (shape === "v2") {
    return json(200, {
      id: user.sub,
      ...(email ? { email: user.email, verified_email: user.emailVerified } : {}),
      ...(profile
        ? { name: user.name, given_name: user.givenName, family_name: user.familyName, picture: user.picture }
        : {}),
    });
  }
  return json(200, {
    sub: user.sub,
    ...(profile
      ? { name: user.name, given_name: user.givenName, family_name: user.familyName, picture: user.picture }
      : {}),
    ...(email ? { email: user.email, email_verified: user.emailVerified } : {}),
  });
}
