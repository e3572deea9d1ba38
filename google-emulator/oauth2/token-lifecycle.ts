import { randomBytes } from "node:crypto";
import { isSignInScope } from "./scopes";
import type { AccessToken, EmulatorState, RefreshToken } from "../state";

export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export function issueAccessToken(
  state: EmulatorState,
  grant: {
    userSub: string;
    clientId: string;
    scopes: string[];
    accessType: "online" | "offline";
    refreshToken?: string;
  },
): AccessToken {
  const now = state.clock.now();
  const token: AccessToken = {
    token: `ya29.a0${randomToken(96)}`,
    userSub: grant.userSub,
    clientId: grant.clientId,
    projectId: state.projectOf(grant.clientId),
    scopes: grant.scopes,
    accessType: grant.accessType,
    issuedAt: now,
    expiresAt: now + state.config.accessTokenTtlSeconds * 1000,
    ...(grant.refreshToken ? { refreshToken: grant.refreshToken } : {}),
  };
  state.accessTokens.set(token.token, token);
  return token;
}

export function issueRefreshToken(
  state: EmulatorState,
  grant: { userSub: string; clientId: string; scopes: string[]; consentAt: number },
  onEvicted: (token: RefreshToken) => void = () => {},
): RefreshToken {
  const now = state.clock.now();
  const client = state.clients.get(grant.clientId);
  const expiresInTesting = client?.publishingStatus === "testing" && !grant.scopes.every(isSignInScope);
  const token: RefreshToken = {
    token: `1//0${randomToken(72)}`,
    userSub: grant.userSub,
    clientId: grant.clientId,
    projectId: state.projectOf(grant.clientId),
    scopes: grant.scopes,
    createdAt: now,
    lastUsedAt: now,
    ...(expiresInTesting ? { expiresAt: grant.consentAt + state.config.testingRefreshTokenTtlSeconds * 1000 } : {}),
  };
  state.refreshTokens.set(token.token, token);
  for (const evicted of evictOldestRefreshTokens(state, grant.userSub, grant.clientId)) onEvicted(evicted);
  return token;
}

/** Google keeps at most N live refresh tokens per account × client and silently drops the oldest. */
function evictOldestRefreshTokens(state: EmulatorState, userSub: string, clientId: string): RefreshToken[] {
  const live = [...state.refreshTokens.values()].filter(
    (t) => t.userSub === userSub && t.clientId === clientId && isRefreshTokenAlive(state, t),
  );
  const excess = live.length - state.config.refreshTokenLimitPerClient;
  const evicted = live.sort((a, b) => a.createdAt - b.createdAt).slice(0, Math.max(0, excess));
  for (const token of evicted) {
    token.revokedAt = state.clock.now();
    token.revokedReason = "evicted";
  }
  return evicted;
}

export function isRefreshTokenExpired(state: EmulatorState, token: RefreshToken): boolean {
  const now = state.clock.now();
  if (token.expiresAt !== undefined && now >= token.expiresAt) return true;
  return now - token.lastUsedAt >= state.config.refreshTokenIdleTtlSeconds * 1000;
}

export function isRefreshTokenAlive(state: EmulatorState, token: RefreshToken): boolean {
  return token.revokedAt === undefined && !isRefreshTokenExpired(state, token);
}

export function isAccessTokenAlive(state: EmulatorState, token: AccessToken): boolean {
  return token.revokedAt === undefined && state.clock.now() < token.expiresAt && state.users.has(token.userSub);
}

export function findLiveAccessToken(state: EmulatorState, value: string | undefined): AccessToken | undefined {
  const token = value ? state.accessTokens.get(value) : undefined;
  return token && isAccessTokenAlive(state, token) ? token : undefined;
}

/** Revocation removes the whole user × project grant and every token minted from it. */
export function revokeGrant(state: EmulatorState, userSub: string, projectId: string): void {
  const now = state.clock.now();
  state.deleteGrant(userSub, projectId);
  for (const token of state.accessTokens.values()) {
    if (token.userSub === userSub && token.projectId === projectId && token.revokedAt === undefined)
      token.revokedAt = now;
  }
  for (const token of state.refreshTokens.values()) {
    if (token.userSub === userSub && token.projectId === projectId && token.revokedAt === undefined) {
      token.revokedAt = now;
      token.revokedReason = "revoked";
    }
  }
}
