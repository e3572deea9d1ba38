import { cache } from "react";
import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { grantedScopes } from "../google/oauth";
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

/** Extra conditions on the account row, for writers that hold a lease (a write the row no longer matches changes nothing). */
type AccountCondition = NonNullable<NonNullable<Parameters<AppDeps["db"]["account"]["updateMany"]>[0]>["where"]>;
type AccountUpdate = NonNullable<Parameters<AppDeps["db"]["account"]["updateMany"]>[0]>["data"];

/** What a connection keeps of Google's tokens once the grant is gone: nothing, fingerprints included. */
export const NO_STORED_TOKENS = {
  access_token: null,
  refresh_token: null,
  id_token: null,
  expires_at: null,
  refreshTokenHash: null,
  refreshTokenHexHash: null,
  refreshTokenPrefixHash: null,
} satisfies AccountUpdate;

/**
 * The one writer of a connection's status outside sign-in: changes status and reason and records the
 * event in one transaction, only if the status is not already that (so a burst of callers records it once).
 */
export async function setConnectionStatus(
  userId: string,
  accountId: string,
  change: StatusChange,
  deps: Pick<AppDeps, "db" | "now"> = appDeps(),
  fence: AccountCondition = {},
  alsoSet: AccountUpdate = {},
): Promise<boolean> {
  const at = deps.now();
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.account.updateMany({
      where: { ...fence, id: accountId, userId, NOT: { status: change.status, statusReason: change.reason } },
      data: { ...alsoSet, status: change.status, statusReason: change.reason, statusChangedAt: at },
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

/** A renewal that failed for a reason that is not the user's to fix (see REFRESH_PROBLEM in tokens.ts). */
export type RefreshProblemView = { kind: "TRANSIENT" | "CONFIGURATION"; at: Date };

/** In Testing, Google ends a grant this long after consent. */
export const TESTING_GRANT_DAYS = 7;
const DAY_MS = 24 * 60 * 60_000;
/** A renewal that Google did not answer is worth a quiet note for this long; later ones succeeded or will. */
const TRANSIENT_NOTE_MS = 24 * 60 * 60_000;

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
  refreshProblem: RefreshProblemView | null;
  /** The OAuth client is in Testing: when Google will end this grant, and the whole days left until then. */
  testingExpiry: { endsAt: Date; daysLeft: number } | null;
  /** A broken connection works again and the user has not been told yet (takeRestoredNotice). */
  restoredAt: Date | null;
  /** Google's reason when it disabled this Google account (a security event), while sending is held for it. */
  googleDisabledReason: string | null;
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
      refreshProblem: true,
      refreshProblemAt: true,
      restoredAt: true,
      googleDisabledAt: true,
      googleDisabledReason: true,
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
    refreshProblem: refreshProblemOf(account, deps.now()),
    testingExpiry:
      deps.publishingStatus === "testing" && account.status === "CONNECTED" && account.consentedAt
        ? testingExpiryOf(account.consentedAt, deps.now())
        : null,
    restoredAt: account.restoredAt,
    googleDisabledReason: account.googleDisabledAt ? account.googleDisabledReason : null,
    pendingRevocations,
    events,
  };
}

function refreshProblemOf(
  account: { refreshProblem: string | null; refreshProblemAt: Date | null },
  now: Date,
): RefreshProblemView | null {
  const { refreshProblem: kind, refreshProblemAt: at } = account;
  if (!at) return null;
  if (kind === "CONFIGURATION") return { kind, at };
  if (kind === "TRANSIENT" && now.getTime() - at.getTime() < TRANSIENT_NOTE_MS) return { kind, at };
  return null;
}

export function testingExpiryOf(consentedAt: Date, now: Date): { endsAt: Date; daysLeft: number } {
  const endsAt = new Date(consentedAt.getTime() + TESTING_GRANT_DAYS * DAY_MS);
  return { endsAt, daysLeft: Math.max(0, Math.ceil((endsAt.getTime() - now.getTime()) / DAY_MS)) };
}

export type RestoredNotice = { by: "reconnect" | "renewal"; googleEmail: string | null };

/**
 * The "connection restored" notice, once: clears `restoredAt` with a conditional update, so of several
 * pages rendering at the same moment only one shows it. A connection that broke again since is not
 * announced as restored. `by` tells a reconnect (its RECONNECTED event carries the same moment) from a
 * renewal that healed a server problem.
 */
export async function takeRestoredNotice(userId: string, deps: AppDeps = appDeps()): Promise<RestoredNotice | null> {
  const { db } = deps;
  const account = await db.account.findFirst({
    ...connectionAccountOf(userId),
    select: { id: true, status: true, restoredAt: true, email: true, user: { select: { email: true } } },
  });
  if (!account?.restoredAt) return null;
  const { count } = await db.account.updateMany({
    where: { id: account.id, userId, restoredAt: account.restoredAt },
    data: { restoredAt: null },
  });
  if (count === 0 || account.status !== "CONNECTED") return null;
  const reconnects = await db.connectionEvent.count({
    where: { userId, accountId: account.id, kind: "RECONNECTED", createdAt: account.restoredAt },
  });
  return { by: reconnects > 0 ? "reconnect" : "renewal", googleEmail: account.email ?? account.user.email };
}

/** The signed-in user's connection for this request: the layout, banner and page share one read. */
export const getCurrentConnection = cache((userId: string) => getConnection(userId));

/** The restored notice for this request: the layout shows it, and settings knows not to add its own. */
export const takeCurrentRestoredNotice = cache((userId: string) => takeRestoredNotice(userId));
