import type { EmulatorContext } from "../context";
import { isGmailScope } from "../oauth2/scopes";
import { isAccessTokenAlive, isRefreshTokenAlive, revokeGrant } from "../oauth2/token-lifecycle";
import type { RefreshToken, User } from "../state";
import { EVENT_TYPES, type DisableReason } from "./events";
import { emitTokenRevoked, emitUserEvent, recipientsFor, transmit, userSubject } from "./transmitter";

// What happens at Google, then the security events it reports (google-risc.md §3.4, §7 items 9-12).

/** The user removed the app: the grant ends, and tokens-revoked goes to the streams that heard of them before. */
export function removeAccess(ctx: EmulatorContext, user: User, projectIds: string[]): void {
  const type = EVENT_TYPES["tokens-revoked"];
  const recipients = recipientsFor(ctx, user.sub, type, projectIds);
  for (const projectId of projectIds) revokeGrant(ctx.state, user.sub, projectId);
  transmit(ctx, recipients, { type, subject: userSubject(ctx, user) }, user.email);
}

/** The projects where the user has a grant or any token. */
export function projectsOf(ctx: EmulatorContext, userSub: string): string[] {
  const { state } = ctx;
  const holders = [...state.grants.values(), ...state.refreshTokens.values(), ...state.accessTokens.values()];
  return [...new Set(holders.filter((h) => h.userSub === userSub).map((h) => h.projectId))];
}

/** One refresh token ends (and the access tokens minted from it); the grant stays. */
export function revokeRefreshToken(ctx: EmulatorContext, token: RefreshToken): void {
  endRefreshToken(ctx, token);
  emitTokenRevoked(ctx, token);
}

function endRefreshToken(ctx: EmulatorContext, token: RefreshToken): void {
  const now = ctx.state.clock.now();
  token.revokedAt = now;
  token.revokedReason = "revoked";
  for (const access of ctx.state.accessTokens.values())
    if (access.refreshToken === token.token && access.revokedAt === undefined) access.revokedAt = now;
}

/** The app's own POST /revoke ended the grant; Google may or may not tell the stream (riscOnRevokeEndpoint). */
export function revokedByApp(ctx: EmulatorContext, userSub: string, projectId: string): void {
  const user = ctx.state.users.get(userSub);
  if (ctx.state.config.riscOnRevokeEndpoint === "tokens-revoked" && user) removeAccess(ctx, user, [projectId]);
  else revokeGrant(ctx.state, userSub, projectId);
}

/** Workspace's rule (G-PWD): a password change kills Gmail-scoped refresh and access tokens; the grant stays. */
export function changePassword(ctx: EmulatorContext, user: User): { revokedRefreshTokens: number } {
  const { state } = ctx;
  const gmail = (t: { userSub: string; scopes: string[] }) => t.userSub === user.sub && t.scopes.some(isGmailScope);
  const refreshTokens = [...state.refreshTokens.values()].filter((t) => gmail(t) && isRefreshTokenAlive(state, t));
  const projects = [...new Set(refreshTokens.map((t) => t.projectId))];
  const tokensRevoked = recipientsFor(ctx, user.sub, EVENT_TYPES["tokens-revoked"], projects);
  for (const token of refreshTokens) endRefreshToken(ctx, token);
  for (const access of state.accessTokens.values())
    if (gmail(access) && isAccessTokenAlive(state, access)) access.revokedAt = state.clock.now();

  const events = state.config.riscPasswordChangeEvents;
  if (events === "sessions-and-token-revoked") {
    emitUserEvent(ctx, user, EVENT_TYPES["sessions-revoked"]);
    for (const token of refreshTokens) emitTokenRevoked(ctx, token);
  } else if (events === "tokens-revoked") {
    transmit(ctx, tokensRevoked, { type: EVENT_TYPES["tokens-revoked"], subject: userSubject(ctx, user) }, user.email);
  }
  return { revokedRefreshTokens: refreshTokens.length };
}

/** While disabled, refreshes answer invalid_grant and Gmail 401; each change is reported. */
export function disableAccount(ctx: EmulatorContext, user: User, reason: DisableReason | undefined): void {
  const before = ctx.state.risc.disabledUsers.get(user.sub);
  if (before && before.reason === reason) return;
  ctx.state.risc.disabledUsers.set(user.sub, { ...(reason ? { reason } : {}), since: ctx.state.clock.now() });
  emitUserEvent(ctx, user, EVENT_TYPES["account-disabled"], reason ? { reason } : {});
}

export function enableAccount(ctx: EmulatorContext, user: User): void {
  if (!ctx.state.risc.disabledUsers.delete(user.sub)) return;
  emitUserEvent(ctx, user, EVENT_TYPES["account-enabled"]);
}
