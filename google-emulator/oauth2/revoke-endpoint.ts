import type { EmulatorContext } from "../context";
import { formParams, json, type EmulatorRequest, type Reply } from "../http";
import { oauthError } from "./oauth-error";
import { revokedByApp } from "../risc/triggers";
import { isAccessTokenAlive, isRefreshTokenAlive } from "./token-lifecycle";

export function handleRevoke(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const { state } = ctx;
  const value = formParams(req).get("token");
  if (!value) return oauthError(400, "invalid_request", "Missing required parameter: token");
  const access = state.accessTokens.get(value);
  const refresh = state.refreshTokens.get(value);
  const owner =
    access && isAccessTokenAlive(state, access)
      ? access
      : refresh && isRefreshTokenAlive(state, refresh)
        ? refresh
        : undefined;
  if (!owner) return oauthError(400, "invalid_token", "Token expired or revoked");
  revokedByApp(ctx, owner.userSub, owner.projectId);
  return json(200, {});
}
