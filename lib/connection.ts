import { cache } from "react";
import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "./db";
import { appDeps, type AppDeps } from "./deps";
import { grantedScopes } from "./google/oauth";
import { TokenDecryptionError, type TokenVault } from "./token-crypto";

/**
 * The Gmail connection of a user as Evergreen sees it: its status with the reason, the events that
 * explain how it got there, and the one writer of that status.
 */

export const GOOGLE = "google";

// The one rule for which Google account is a user's Gmail connection (the first one linked).
export function connectionAccountOf(userId: string) {
  return { where: { userId, provider: GOOGLE }, orderBy: { createdAt: "asc" as const } };
}

/** True when every stored token opens with the configured keys (a few microseconds each). */
export function storedTokensReadable(vault: TokenVault, rowId: string, ...stored: Array<string | null>): boolean {
  try {
    for (const value of stored) if (value !== null) vault.open(value, rowId);
    return true;
  } catch (error) {
    if (!(error instanceof TokenDecryptionError)) throw error;
    console.error(`[evergreen] account ${rowId}: ${error.message}`);
    return false;
  }
}

export type StatusChange = {
  status: ConnectionStatus;
  reason: StatusReason | null;
  event: ConnectionEventKind;
  detail: string;
};

/**
 * The one writer of a connection's status outside sign-in: changes status and reason and records the
 * event in one transaction, only if the status is not already that (so a burst of callers records it once).
 */
export async function setConnectionStatus(
  userId: string,
  accountId: string,
  change: StatusChange,
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  const at = deps.now();
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.account.updateMany({
      where: { id: accountId, userId, NOT: { status: change.status, statusReason: change.reason } },
      data: { status: change.status, statusReason: change.reason, statusChangedAt: at },
    });
    if (count === 0) return false;
    await tx.connectionEvent.create({
      data: { userId, accountId, kind: change.event, detail: change.detail, createdAt: at },
    });
    return true;
  });
}

export const UNREADABLE_CHANGE: StatusChange = {
  status: "NEEDS_RECONNECT",
  reason: "TOKEN_UNREADABLE",
  event: "CREDENTIALS_UNREADABLE",
  detail: "Evergreen could not read its stored Google credentials. Reconnect to replace them.",
};

export type ConnectionView = {
  accountId: string;
  googleEmail: string | null;
  status: ConnectionStatus;
  reason: StatusReason | null;
  statusChangedAt: Date;
  grantedScopes: string[];
  /** When this Google account was first linked (reconnects do not reset it). */
  connectedSince: Date;
  /** The latest consent on Google's screen. */
  lastApprovedAt: Date | null;
  lastRefreshedAt: Date | null;
  pendingRevocations: number;
  events: Array<{ id: string; kind: ConnectionEventKind; detail: string | null; createdAt: Date }>;
};

const RECENT_EVENTS = 8;

/**
 * The user's Gmail connection as the UI shows it: never a token. Stored tokens are opened on every
 * read, so credentials no key can open (tampered, truncated, a removed key) show as needing a
 * reconnect rather than as healthy.
 */
export async function getConnection(userId: string, deps: AppDeps = appDeps()): Promise<ConnectionView | null> {
  const { db } = deps;
  const account = await db.account.findFirst({
    ...connectionAccountOf(userId),
    select: {
      id: true,
      status: true,
      statusReason: true,
      statusChangedAt: true,
      scope: true,
      consentedAt: true,
      createdAt: true,
      lastRefreshedAt: true,
      email: true,
      user: { select: { email: true } },
      refresh_token: true,
      access_token: true,
    },
  });
  if (!account) return null;
  const believedUsable = account.status === "CONNECTED" || account.status === "MISSING_SCOPE";
  if (believedUsable && !storedTokensReadable(deps.vault, account.id, account.refresh_token, account.access_token)) {
    if (await setConnectionStatus(userId, account.id, UNREADABLE_CHANGE, deps)) return getConnection(userId, deps);
  }
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
    googleEmail: account.email ?? account.user.email,
    status: account.status,
    reason: account.statusReason,
    statusChangedAt: account.statusChangedAt,
    grantedScopes: grantedScopes(account.scope),
    connectedSince: account.createdAt,
    lastApprovedAt: account.consentedAt,
    lastRefreshedAt: account.lastRefreshedAt,
    pendingRevocations,
    events,
  };
}

/** The signed-in user's connection for this request: the layout, banner and page share one read. */
export const getCurrentConnection = cache((userId: string) => getConnection(userId));
