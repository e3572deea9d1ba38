import type { EmulatorContext } from "../context";
import { bearerToken, type EmulatorRequest, type Reply } from "../http";
import { isAccessTokenAlive } from "../oauth2/token-lifecycle";
import type { AccessToken, User } from "../state";
import {
  credentialsMissing,
  delegationDenied,
  insufficientScope,
  invalidCredentials,
  type GmailMethod,
} from "./errors";

type Authorized = { ok: true; user: User; access: AccessToken } | { ok: false; reply: Reply };

export function authorizeCall(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  userId: string,
  acceptedScopes: string[],
  method: GmailMethod,
): Authorized {
  const { state } = ctx;
  const value = bearerToken(req);
  if (!value) return { ok: false, reply: credentialsMissing(method) };
  const access = state.accessTokens.get(value);
  const user = access && state.users.get(access.userSub);
  if (!access || !user || !isAccessTokenAlive(state, access) || state.risc.isDisabled(user.sub))
    return { ok: false, reply: invalidCredentials(method, access !== undefined) };
  if (!access.scopes.some((s) => acceptedScopes.includes(s)))
    return { ok: false, reply: insufficientScope(method, acceptedScopes) };
  if (userId !== "me" && userId.toLowerCase() !== user.email.toLowerCase())
    return { ok: false, reply: delegationDenied(userId) };
  return { ok: true, user, access };
}

/** Per-user quota units over a sliding minute; refused calls cost nothing. */
export function spendUnits(ctx: EmulatorContext, user: User, units: number): boolean {
  const { state } = ctx;
  const now = state.clock.now();
  const recent = (state.quotaUsage.get(user.sub) ?? []).filter((u) => now - u.at < 60_000);
  if (recent.reduce((sum, u) => sum + u.units, 0) + units > state.config.sendUnitsPerMinute) {
    state.quotaUsage.set(user.sub, recent);
    return false;
  }
  recent.push({ at: now, units });
  state.quotaUsage.set(user.sub, recent);
  return true;
}
