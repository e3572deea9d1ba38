import { decodeJwt } from "jose";
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

export const GOOGLE = "google";

// The one rule for which Google account is a user's Gmail connection (the first one linked).
function connectionAccountOf(userId: string) {
  return { where: { userId, provider: GOOGLE }, orderBy: { createdAt: "asc" as const } };
}
export const now = (deps: ConnectionDeps) => deps.now?.() ?? new Date();

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

// The Google address a grant belongs to, from the ID token Google just returned with it.
function emailOf(idToken: string | null | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const { email } = decodeJwt(idToken);
    return typeof email === "string" ? email : undefined;
  } catch {
    return undefined;
  }
}

function decide(sendAllowed: boolean, refreshToken: "new" | "stored" | "unreadable" | "none"): { status: ConnectionStatus; reason: StatusReason | null } {
  if (!sendAllowed) return { status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" };
  if (refreshToken === "unreadable") return { status: "NEEDS_RECONNECT", reason: "TOKEN_UNREADABLE" };
  if (refreshToken === "none") return { status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" };
  return { status: "CONNECTED", reason: null };
}

/**
 * Records a completed Google authorization on the account it belongs to: new tokens replace old ones,
 * a refresh token is never replaced by nothing, and the status says at once whether Evergreen can send.
 * A new consent also drops any revoke still queued for this Google account: revoking now would end
 * the grant the user just gave. Returns null when the account is not linked yet (Auth.js links it next).
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
  // A stored refresh token that Google already refused, or that no key opens, is no reason to call the connection healthy.
  const stored = !account.refresh_token || account.status === "NEEDS_RECONNECT" ? "none" : storedTokensReadable(vault, account.id, account.refresh_token) ? "stored" : "unreadable";
  const { status, reason } = decide(canSendMail(tokens.scope), newRefreshToken ? "new" : stored);

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
  } else if (reason === "TOKEN_UNREADABLE") {
    events.push({ kind: "CREDENTIALS_UNREADABLE", detail: "Google returned no new refresh token and the stored one could not be read." });
  }

  const email = emailOf(tokens.id_token);
  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        access_token: tokens.access_token ? vault.seal(tokens.access_token, account.id) : null,
        id_token: tokens.id_token ? vault.seal(tokens.id_token, account.id) : null,
        expires_at: tokens.expires_at ?? null,
        token_type: tokens.token_type ?? null,
        scope: tokens.scope ?? null,
        ...(email ? { email } : {}),
        ...(newRefreshToken ? { refresh_token: vault.seal(newRefreshToken, account.id), consentedAt: at } : {}),
        status,
        statusReason: reason,
        ...(status !== account.status || options.firstLink ? { statusChangedAt: at } : {}),
      },
    }),
    ...(newRefreshToken ? [db.pendingRevocation.deleteMany({
          where: { OR: [{ providerAccountId: tokens.providerAccountId }, { providerAccountId: null, userId: account.userId }] },
        })] : []),
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

export type GoogleAccountAdmission =
  | { admitted: true }
  /** `grantHeldElsewhere`: another Evergreen user holds this Google account, so its grant must not be revoked. */
  | { admitted: false; grantHeldElsewhere: boolean };

/**
 * One Google account per Evergreen user. A signed-in user (reconnecting) who comes back from Google
 * with a different account than their connection is refused, and told both addresses and how to
 * switch; after a disconnect the switch is allowed and the old, token-less row makes way.
 */
export async function admitGoogleAccount(
  deps: ConnectionDeps,
  signedInUserId: string | undefined,
  google: { providerAccountId: string; email?: string | null },
): Promise<GoogleAccountAdmission> {
  if (!signedInUserId) return { admitted: true };
  const { db } = deps;
  const [owner, current] = await Promise.all([
    db.account.findUnique({
      where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId: google.providerAccountId } },
      select: { userId: true },
    }),
    db.account.findFirst({ ...connectionAccountOf(signedInUserId), select: { id: true, providerAccountId: true, status: true, email: true, user: { select: { email: true } } } }),
  ]);
  if (owner?.userId === signedInUserId || (!owner && !current)) return { admitted: true };
  if (!owner && current?.status === "DISCONNECTED") {
    await db.account.delete({ where: { id: current.id } });
    return { admitted: true };
  }
  const connected = current?.email ?? current?.user.email ?? "another Google account";
  const returned = google.email ?? "a different Google account";
  await db.connectionEvent.create({
    data: {
      userId: signedInUserId, accountId: current?.id, kind: "RECONNECT_REFUSED", createdAt: now(deps),
      detail: `Google returned ${returned}, but your Gmail connection is ${connected}. Evergreen connects one Google account per user, so nothing was changed. To switch accounts, disconnect Gmail first, then connect with ${returned}.`,
    },
  });
  return { admitted: false, grantHeldElsewhere: Boolean(owner) };
}

/**
 * The one writer of a connection's status outside sign-in: changes status and reason and records the
 * event in one transaction, only if the status is not already that (so a burst of callers records it once).
 */
export async function setConnectionStatus(
  deps: ConnectionDeps,
  account: { id: string; userId: string },
  change: { status: ConnectionStatus; reason: StatusReason | null; event: ConnectionEventKind; detail: string },
): Promise<boolean> {
  const at = now(deps);
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.account.updateMany({
      where: { id: account.id, NOT: { status: change.status, statusReason: change.reason } },
      data: { status: change.status, statusReason: change.reason, statusChangedAt: at },
    });
    if (count === 0) return false;
    await tx.connectionEvent.create({ data: { userId: account.userId, accountId: account.id, kind: change.event, detail: change.detail, createdAt: at } });
    return true;
  });
}

export const UNREADABLE_CHANGE = {
  status: "NEEDS_RECONNECT",
  reason: "TOKEN_UNREADABLE",
  event: "CREDENTIALS_UNREADABLE",
  detail: "Evergreen could not read its stored Google credentials. Reconnect to replace them.",
} as const;

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

/**
 * The user's Gmail connection as the UI shows it: never a token. Stored tokens are opened on every
 * read, so credentials no key can open (tampered, truncated, a removed key) show as needing a
 * reconnect rather than as healthy.
 */
export async function getConnection(deps: ConnectionDeps, userId: string): Promise<ConnectionView | null> {
  const { db } = deps;
  const account = await db.account.findFirst({
    ...connectionAccountOf(userId),
    select: {
      id: true, status: true, statusReason: true, statusChangedAt: true, scope: true, consentedAt: true, createdAt: true,
      lastRefreshedAt: true, email: true, user: { select: { email: true } }, refresh_token: true, access_token: true,
    },
  });
  if (!account) return null;
  const believedUsable = account.status === "CONNECTED" || account.status === "MISSING_SCOPE";
  if (believedUsable && !storedTokensReadable(deps.vault, account.id, account.refresh_token, account.access_token)) {
    if (await setConnectionStatus(deps, { id: account.id, userId }, UNREADABLE_CHANGE)) return getConnection(deps, userId);
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
    connectedSince: account.consentedAt ?? account.createdAt,
    lastRefreshedAt: account.lastRefreshedAt,
    pendingRevocations,
    events,
  };
}

/** The signed-in user's connection for this request: the layout, banner and page share one read. */
export const getCurrentConnection = cache((userId: string) => getConnection(appConnectionDeps(), userId));

/** The app's wiring: its database and the configured encryption keys. */
export function appConnectionDeps(): ConnectionDeps {
  return { db: getDb(), vault: createTokenVault(getEnv().tokenEncryptionKeys) };
}
