import { randomUUID } from "node:crypto";
import { cache } from "react";
import { getDb, type Db } from "./db";
import { getEnv, type EncryptionKey } from "./env";
import { canSendMail, grantedScopes } from "./google/oauth";
import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "./generated/sqlite/enums";
import { decryptToken, encryptToken, TokenDecryptionError } from "./token-crypto";

/**
 * The Gmail connection of a user: Google's tokens (written by Evergreen on every sign-in, because
 * Auth.js stores them only when it first links an account), its status with the reason in plain
 * words, and the events that explain how it got there.
 */

export type TokenVault = {
  seal(plaintext: string, rowId: string): string;
  open(stored: string, rowId: string): string;
};

export function createTokenVault(keys: EncryptionKey[]): TokenVault {
  return {
    seal: (plaintext, rowId) => encryptToken(plaintext, rowId, keys),
    open: (stored, rowId) => decryptToken(stored, rowId, keys),
  };
}

export type ConnectionDeps = { db: Db; vault: TokenVault; now?: () => Date };

/** What Google returned at the end of an authorization (Auth.js's `account`). */
export type GoogleTokens = {
  providerAccountId: string;
  access_token?: string | null;
  refresh_token?: string | null;
  id_token?: string | null;
  expires_at?: number | null;
  token_type?: string | null;
  scope?: string | null;
};

export type SignInOutcome = { accountId: string; status: ConnectionStatus; reason: StatusReason | null; events: ConnectionEventKind[] };

const GOOGLE = "google";

// The one rule for which Google account is a user's Gmail connection (the first one linked).
function connectionAccountOf(userId: string) {
  return { where: { userId, provider: GOOGLE }, orderBy: { createdAt: "asc" as const } };
}
const now = (deps: ConnectionDeps) => deps.now?.() ?? new Date();

function decide(sendAllowed: boolean, hasRefreshToken: boolean): { status: ConnectionStatus; reason: StatusReason | null } {
  if (!sendAllowed) return { status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" };
  if (!hasRefreshToken) return { status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" };
  return { status: "CONNECTED", reason: null };
}

/**
 * Records a completed Google authorization on the account it belongs to: new tokens replace old ones,
 * a refresh token is never replaced by nothing, and the status says at once whether Evergreen can send.
 * Returns null when the account is not linked yet (Auth.js links it next, see linkGoogleAccount).
 */
export async function applyGoogleSignIn(deps: ConnectionDeps, tokens: GoogleTokens, options: { firstLink?: boolean } = {}): Promise<SignInOutcome | null> {
  const { db, vault } = deps;
  const account = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId: tokens.providerAccountId } },
    select: { id: true, userId: true, status: true, refresh_token: true },
  });
  if (!account) return null;

  const at = now(deps);
  const newRefreshToken = tokens.refresh_token || undefined;
  // A stored refresh token that Google already refused is no reason to call the connection healthy.
  const storedRefreshTokenUsable = Boolean(account.refresh_token) && account.status !== "NEEDS_RECONNECT";
  const { status, reason } = decide(canSendMail(tokens.scope), Boolean(newRefreshToken) || storedRefreshTokenUsable);

  const events: Array<{ kind: ConnectionEventKind; detail: string }> = [];
  if (options.firstLink) events.push({ kind: "CONNECTED", detail: "Linked this Google account to Evergreen." });
  else if (status === "CONNECTED" && account.status !== "CONNECTED") events.push({ kind: "RECONNECTED", detail: "Gmail access restored." });
  else if (status === "CONNECTED") {
    events.push({
      kind: "SIGNED_IN",
      detail: newRefreshToken ? "Signed in again; Google issued a new refresh token." : "Signed in again; kept the stored refresh token.",
    });
  }
  if (reason === "SCOPE_UNTICKED") {
    events.push({ kind: "SCOPE_MISSING", detail: `Google granted: ${grantedScopes(tokens.scope).join(" ") || "nothing"}. Sending was not allowed.` });
  } else if (reason === "NO_REFRESH_TOKEN") {
    events.push({ kind: "REFRESH_TOKEN_MISSING", detail: "Google returned no refresh token and none was stored." });
  }

  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        access_token: tokens.access_token ? vault.seal(tokens.access_token, account.id) : null,
        id_token: tokens.id_token ? vault.seal(tokens.id_token, account.id) : null,
        expires_at: tokens.expires_at ?? null,
        token_type: tokens.token_type ?? null,
        scope: tokens.scope ?? null,
        ...(newRefreshToken ? { refresh_token: vault.seal(newRefreshToken, account.id), consentedAt: at } : {}),
        status,
        statusReason: reason,
        ...(status !== account.status || options.firstLink ? { statusChangedAt: at } : {}),
      },
    }),
    db.connectionEvent.createMany({
      data: events.map((event) => ({ ...event, userId: account.userId, accountId: account.id, createdAt: at })),
    }),
  ]);
  return { accountId: account.id, status, reason, events: events.map((event) => event.kind) };
}

/** Auth.js's linkAccount, without letting it write plaintext tokens: the row first, then the tokens sealed to it. */
export async function linkGoogleAccount(deps: ConnectionDeps, account: GoogleTokens & { userId: string; type: string; provider: string }) {
  // Until its tokens are written the row cannot send; if that write fails, the truth is on screen.
  await deps.db.account.create({
    data: {
      userId: account.userId, type: account.type, provider: account.provider, providerAccountId: account.providerAccountId,
      status: "NEEDS_RECONNECT", statusReason: "NO_REFRESH_TOKEN",
    },
  });
  if (account.provider === GOOGLE) await applyGoogleSignIn(deps, account, { firstLink: true });
}

export type ConnectionView = {
  accountId: string;
  googleEmail: string | null;
  status: ConnectionStatus;
  reason: StatusReason | null;
  statusChangedAt: Date;
  grantedScopes: string[];
  connectedSince: Date;
  lastRefreshedAt: Date | null;
  pendingRevocations: number;
  events: Array<{ id: string; kind: ConnectionEventKind; detail: string | null; createdAt: Date }>;
};

const RECENT_EVENTS = 8;

/** The user's Gmail connection as the UI shows it: never a token. */
export async function getConnection(db: Db, userId: string): Promise<ConnectionView | null> {
  const account = await db.account.findFirst({
    ...connectionAccountOf(userId),
    select: {
      id: true, status: true, statusReason: true, statusChangedAt: true, scope: true, consentedAt: true, createdAt: true,
      lastRefreshedAt: true, user: { select: { email: true } },
    },
  });
  if (!account) return null;
  const [events, pendingRevocations] = await Promise.all([
    db.connectionEvent.findMany({
      where: { userId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: RECENT_EVENTS,
      select: { id: true, kind: true, detail: true, createdAt: true },
    }),
    db.pendingRevocation.count({ where: { userId } }),
  ]);
  return {
    accountId: account.id,
    googleEmail: account.user.email,
    status: account.status,
    reason: account.statusReason,
    statusChangedAt: account.statusChangedAt,
    grantedScopes: grantedScopes(account.scope),
    connectedSince: account.consentedAt ?? account.createdAt,
    lastRefreshedAt: account.lastRefreshedAt,
    pendingRevocations,
    events,
  };
}

/** The signed-in user's connection for this request: the layout, banner and page share one read. */
export const getCurrentConnection = cache((userId: string) => getConnection(getDb(), userId));

export type RevokeAtGoogle = (token: string) => Promise<unknown>;
export type DisconnectOutcome = "revoked" | "revoke-pending" | "already-disconnected";

const REVOKE_RETRY_BASE_MS = 30_000;
const REVOKE_RETRY_MAX_MS = 60 * 60_000;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Disconnect: revoke the grant at Google, wipe the tokens here, record it. When Google cannot be
 * reached the token is kept (sealed) only for a later revoke, and the outcome says so.
 */
export async function disconnectGmail(deps: ConnectionDeps, userId: string, revoke: RevokeAtGoogle): Promise<DisconnectOutcome> {
  const { db, vault } = deps;
  const account = await db.account.findFirst({
    ...connectionAccountOf(userId),
    select: { id: true, status: true, refresh_token: true, access_token: true },
  });
  if (!account || (account.status === "DISCONNECTED" && !account.refresh_token && !account.access_token)) return "already-disconnected";

  // Revoking the refresh token ends the whole grant; an access token alone is the fallback.
  const stored = account.refresh_token ?? account.access_token;
  let token: string | undefined;
  let failure: string | undefined;
  if (stored) {
    try {
      token = vault.open(stored, account.id);
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      failure = `${error.message}; the grant cannot be revoked from here. Remove Evergreen at myaccount.google.com/permissions.`;
    }
  }
  if (token) {
    try {
      await revoke(token);
    } catch (error) {
      failure = describeError(error);
    }
  }

  const at = now(deps);
  const pendingId = randomUUID();
  const retryLater = token !== undefined && failure !== undefined;
  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        access_token: null, refresh_token: null, id_token: null, expires_at: null,
        status: "DISCONNECTED", statusReason: "USER_DISCONNECTED", statusChangedAt: at,
        refreshLeaseId: null, refreshLeaseUntil: null,
      },
    }),
    ...(retryLater
      ? [db.pendingRevocation.create({
          data: { id: pendingId, userId, token: vault.seal(token!, pendingId), attempts: 1, lastError: failure, nextAttemptAt: new Date(at.getTime() + REVOKE_RETRY_BASE_MS) },
        })]
      : []),
    db.connectionEvent.createMany({
      data: [
        { userId, accountId: account.id, kind: "DISCONNECTED" as const, detail: "You disconnected Gmail; tokens deleted from Evergreen.", createdAt: at },
        failure
          ? { userId, accountId: account.id, kind: "REVOKE_FAILED" as const, detail: retryLater ? `${failure}. Evergreen will retry.` : failure, createdAt: at }
          : { userId, accountId: account.id, kind: "REVOKE_SUCCEEDED" as const, detail: "Google confirmed the access is revoked.", createdAt: at },
      ],
    }),
  ]);
  return failure ? "revoke-pending" : "revoked";
}

/** Retries revokes that failed at disconnect time, with capped exponential backoff. */
export async function retryPendingRevocations(deps: ConnectionDeps, revoke: RevokeAtGoogle, limit = 20): Promise<{ revoked: number; failed: number }> {
  const { db, vault } = deps;
  const at = now(deps);
  const due = await db.pendingRevocation.findMany({ where: { nextAttemptAt: { lte: at } }, orderBy: { nextAttemptAt: "asc" }, take: limit });
  let revoked = 0;
  for (const pending of due) {
    try {
      await revoke(vault.open(pending.token, pending.id));
    } catch (error) {
      const delay = Math.min(REVOKE_RETRY_BASE_MS * 2 ** pending.attempts, REVOKE_RETRY_MAX_MS);
      await db.pendingRevocation.update({
        where: { id: pending.id },
        data: { attempts: { increment: 1 }, lastError: describeError(error), nextAttemptAt: new Date(at.getTime() + delay) },
      });
      continue;
    }
    await db.$transaction([
      db.pendingRevocation.delete({ where: { id: pending.id } }),
      db.connectionEvent.create({
        data: { userId: pending.userId, kind: "REVOKE_SUCCEEDED", detail: "Google confirmed the access is revoked (after a retry).", createdAt: at },
      }),
    ]);
    revoked += 1;
  }
  return { revoked, failed: due.length - revoked };
}

/** The app's wiring: its database and the configured encryption keys. */
export function appConnectionDeps(): ConnectionDeps {
  return { db: getDb(), vault: createTokenVault(getEnv().tokenEncryptionKeys) };
}
