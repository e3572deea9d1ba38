import { randomUUID } from "node:crypto";
import { refreshTokenFingerprints } from "./token-fingerprints";
import {
  connectionAccountOf,
  setConnectionStatus,
  storedTokensReadable,
  TESTING_GRANT_DAYS,
  UNREADABLE_CHANGE,
  type StatusChange,
} from "./status";
import type { ConnectionStatus, StatusReason } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";
import { GmailUnauthorizedError } from "../google/gmail";
import { GoogleGrantError, GoogleRejectedError, GoogleUnavailableError, type RefreshedTokens } from "../google/oauth";

/**
 * Keeping the connection alive: an access token on demand, refreshed once per account at a time
 * across every process (a lease in the account row), each result written only under that lease.
 */
/** Every token handed out is valid for at least this long, so a call started now cannot outlive it. */
const FRESH_FOR_SECONDS = 5 * 60;
/** Longer than one refresh with google-auth-library's own retries; a holder that dies frees it after this. */
export const REFRESH_LEASE_MS = 60_000;
const LEASE_POLL_MS = 100;
const TESTING_GRANT_MS = TESTING_GRANT_DAYS * 24 * 60 * 60_000;
/** Google ends refresh tokens unused for six months; a grant idle this long most likely died of it. */
const UNUSED_GRANT_MS = 180 * 24 * 60 * 60_000;
const LAST_USED_RESOLUTION_MS = 60 * 60_000;

export const REFRESH_PROBLEM = { transient: "TRANSIENT", configuration: "CONFIGURATION" } as const;

type TokenRow = {
  id: string;
  status: ConnectionStatus;
  statusReason: StatusReason | null;
  access_token: string | null;
  expires_at: number | null;
  refreshProblem: string | null;
  refreshProblemAt: Date | null;
  lastRefreshedAt: Date | null;
  lastUsedAt: Date | null;
};

/** `rejected`: a token Gmail just answered 401 to. `renewedSince`: only a token refreshed at or after this moment will do. */
type Wanted = { rejected?: string; renewedSince?: Date };

const TOKEN_ROW = {
  id: true,
  status: true,
  statusReason: true,
  access_token: true,
  expires_at: true,
  refreshProblem: true,
  refreshProblemAt: true,
  lastRefreshedAt: true,
  lastUsedAt: true,
} as const;

// One refresh per account per process; across processes the lease in the account row decides.
const inFlight = new Map<string, Promise<string>>();

/**
 * An access token for the user's Gmail connection, valid for at least five more minutes, refreshed
 * first when needed: once per account at a time across every process sharing the database (an
 * in-process single flight plus a lease claimed with one conditional update). `rejected` names a
 * token Gmail just answered 401 to: it is refreshed even though its expiry says otherwise; `force`
 * refreshes now (proving a grant healthy) unless a refresh lands while this call waits; `renewedSince`
 * accepts any renewal from that moment on (keep-alive: one renewal per idle period, whoever makes it).
 * Throws ReconnectRequiredError, GoogleUnavailableError (try later) or GoogleRejectedError (operator).
 */
export async function getAccessToken(
  userId: string,
  deps: AppDeps = appDeps(),
  options: { rejected?: string; force?: boolean; renewedSince?: Date } = {},
): Promise<string> {
  const wanted: Wanted = {
    rejected: options.rejected,
    renewedSince: options.renewedSince ?? (options.force ? deps.now() : undefined),
  };
  const account = await deps.db.account.findFirst({ ...connectionAccountOf(userId), select: TOKEN_ROW });
  if (!account) throw new ReconnectRequiredError("NOT_CONNECTED", null);
  const ready = usableToken(account, deps, wanted);
  if (ready) {
    await noteUse(account, deps);
    return ready;
  }
  let flight = inFlight.get(account.id);
  if (!flight) {
    flight = refreshOnce(userId, account.id, wanted, deps).finally(() => inFlight.delete(account.id));
    inFlight.set(account.id, flight);
  }
  return flight;
}

function usableToken(row: TokenRow, deps: AppDeps, { rejected, renewedSince }: Wanted): string | undefined {
  if (row.status !== "CONNECTED") throw new ReconnectRequiredError(row.status, row.statusReason);
  if (renewedSince && !(row.lastRefreshedAt && row.lastRefreshedAt >= renewedSince)) return undefined;
  if (!row.access_token || !row.expires_at) return undefined;
  if (row.expires_at - deps.now().getTime() / 1000 < FRESH_FOR_SECONDS) return undefined;
  if (!storedTokensReadable(deps.vault, row.id, row.access_token)) return undefined;
  const token = deps.vault.open(row.access_token, row.id);
  return token === rejected ? undefined : token;
}

// lastUsedAt only needs hour precision, so a fresh token usually costs one read and no write.
async function noteUse(account: { id: string; lastUsedAt: Date | null }, deps: AppDeps) {
  const at = deps.now();
  if (account.lastUsedAt && at.getTime() - account.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await deps.db.account.updateMany({ where: { id: account.id }, data: { lastUsedAt: at } });
}

async function refreshOnce(userId: string, accountId: string, wanted: Wanted, deps: AppDeps): Promise<string> {
  const { db } = deps;
  const waitingSince = deps.now();
  for (;;) {
    const row = await db.account.findUniqueOrThrow({ where: { id: accountId }, select: TOKEN_ROW });
    const ready = usableToken(row, deps, wanted);
    if (ready) return ready;
    // The holder we waited for failed in a way a second try now would not change.
    if (row.refreshProblemAt && row.refreshProblemAt >= waitingSince) throw problemError(row.refreshProblem);

    const now = deps.now();
    const leaseId = randomUUID();
    const claimed = await db.account.updateMany({
      where: {
        id: accountId,
        status: "CONNECTED",
        OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }],
      },
      data: { refreshLeaseId: leaseId, refreshLeaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS) },
    });
    if (claimed.count === 1) return refreshHoldingLease(userId, accountId, leaseId, wanted, deps);
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }
}

function problemError(problem: string | null): Error {
  const error = new Error(`Another server's refresh just failed (${problem ?? "unknown"})`);
  return problem === REFRESH_PROBLEM.configuration ? new GoogleRejectedError(error) : new GoogleUnavailableError(error);
}

async function refreshHoldingLease(
  userId: string,
  accountId: string,
  leaseId: string,
  wanted: Wanted,
  deps: AppDeps,
): Promise<string> {
  const { db, vault } = deps;
  const row = await db.account.findUniqueOrThrow({
    where: { id: accountId },
    select: { ...TOKEN_ROW, refresh_token: true, consentedAt: true, refreshTokenHash: true },
  });
  // Every write below is fenced twice: by the lease (a holder whose lease ran out and was taken over
  // writes nothing) and by the refresh token it used (a reconnect meanwhile replaced the grant, and
  // Google's answer about the old one says nothing about the new one).
  const lease = { id: accountId, refreshLeaseId: leaseId };
  const held = { ...lease, refresh_token: row.refresh_token };
  const release = { refreshLeaseId: null, refreshLeaseUntil: null };
  // Another process may have refreshed between our read and our claim.
  const ready = usableToken(row, deps, wanted);
  if (ready) {
    await db.account.updateMany({ where: lease, data: release });
    return ready;
  }
  if (!row.refresh_token || !storedTokensReadable(vault, accountId, row.refresh_token)) {
    await db.account.updateMany({ where: lease, data: release });
    const change = row.refresh_token ? UNREADABLE_CHANGE : NO_REFRESH_TOKEN_CHANGE;
    await setConnectionStatus(userId, accountId, change, deps);
    throw new ReconnectRequiredError(change.status, change.reason);
  }

  let refreshed: RefreshedTokens;
  const refreshToken = vault.open(row.refresh_token, accountId);
  try {
    refreshed = await deps.google.refresh(refreshToken);
  } catch (error) {
    // The outcome is written before (or with) the lease's release, so a waiter never claims the lease
    // and asks Google again before it can read what happened.
    if (error instanceof GoogleGrantError) {
      const change = grantEndedChange(row, deps);
      const recorded = await setConnectionStatus(userId, accountId, change, deps, held);
      const replaced = !recorded && !(await grantStillOurs(held, deps));
      await db.account.updateMany({ where: lease, data: release });
      if (replaced)
        throw new GoogleUnavailableError(new Error("The Google grant changed during the refresh; try again"));
      throw new ReconnectRequiredError(change.status, change.reason);
    }
    const problem = error instanceof GoogleUnavailableError ? REFRESH_PROBLEM.transient : REFRESH_PROBLEM.configuration;
    if (problem === REFRESH_PROBLEM.configuration)
      console.error(
        `[evergreen] token refresh refused; check AUTH_GOOGLE_ID/AUTH_GOOGLE_SECRET: ${(error as Error).message}`,
      );
    await db.account.updateMany({
      where: lease,
      data: { ...release, refreshProblem: problem, refreshProblemAt: deps.now() },
    });
    throw error;
  }

  const at = deps.now();
  const recovered = row.refreshProblem === REFRESH_PROBLEM.configuration;
  const stored = await db.account.updateMany({
    where: held,
    data: {
      ...release,
      access_token: vault.seal(refreshed.accessToken, accountId),
      expires_at: refreshed.expiresAt,
      ...(refreshed.idToken ? { id_token: vault.seal(refreshed.idToken, accountId) } : {}),
      ...(refreshed.scope ? { scope: refreshed.scope } : {}),
      lastRefreshedAt: at,
      lastUsedAt: at,
      refreshProblem: null,
      refreshProblemAt: null,
      ...(recovered ? { restoredAt: at } : {}),
      // Connections made before fingerprints existed get theirs here, so Google's token-revoked finds them too.
      ...(row.refreshTokenHash ? {} : refreshTokenFingerprints(refreshToken)),
    },
  });
  // A replaced grant keeps its own tokens; the token in hand is still good at Google for this call.
  if (stored.count === 0) {
    await db.account.updateMany({ where: lease, data: release });
    return refreshed.accessToken;
  }
  if (recovered) {
    await db.connectionEvent.create({
      data: {
        userId,
        accountId,
        kind: "REFRESHED",
        detail: "Access renewed again after a server configuration problem.",
        createdAt: at,
      },
    });
  }
  return refreshed.accessToken;
}

/** Whether this holder's lease and refresh token are still the account's (a fenced write that changed nothing may mean "already so"). */
async function grantStillOurs(
  held: { id: string; refreshLeaseId: string; refresh_token: string | null },
  deps: AppDeps,
) {
  return (await deps.db.account.count({ where: held })) === 1;
}

const NO_REFRESH_TOKEN_CHANGE: StatusChange = {
  status: "NEEDS_RECONNECT",
  reason: "NO_REFRESH_TOKEN",
  event: "REFRESH_FAILED",
  detail: "No refresh token is stored, so access cannot be renewed.",
};

/** The best cause we can tell for Google's invalid_grant: it gives the same answer for all of them. */
function grantEndedChange(
  row: { consentedAt: Date | null; lastRefreshedAt: Date | null; lastUsedAt: Date | null },
  deps: AppDeps,
): StatusChange {
  const now = deps.now().getTime();
  const lastSign = Math.max(...[row.consentedAt, row.lastRefreshedAt, row.lastUsedAt].map((at) => at?.getTime() ?? 0));
  const grantAge = row.consentedAt ? now - row.consentedAt.getTime() : 0;
  // A few hours of slack: Google's clock and ours need not agree to the minute.
  if (deps.publishingStatus === "testing" && grantAge >= TESTING_GRANT_MS - 6 * 60 * 60_000) {
    return {
      status: "NEEDS_RECONNECT",
      reason: "TESTING_APP_EXPIRY",
      event: "REFRESH_FAILED",
      detail: GRANT_ENDED_DETAIL.TESTING_APP_EXPIRY,
    };
  }
  if (lastSign > 0 && now - lastSign >= UNUSED_GRANT_MS) {
    return {
      status: "NEEDS_RECONNECT",
      reason: "UNUSED_TOO_LONG",
      event: "REFRESH_FAILED",
      detail: GRANT_ENDED_DETAIL.UNUSED_TOO_LONG,
    };
  }
  return { status: "NEEDS_RECONNECT", reason: "REVOKED", event: "REFRESH_FAILED", detail: GRANT_ENDED_DETAIL.REVOKED };
}

const GRANT_ENDED_DETAIL = {
  TESTING_APP_EXPIRY:
    "Google ended the access 7 days after consent, because this installation's OAuth app is in Testing.",
  UNUSED_TOO_LONG: "Google ended the access after six months without use.",
  REVOKED: "Google refused to renew the access: it was removed from the Google account, or replaced by newer ones.",
} as const;

/**
 * Runs one Gmail call with a fresh access token. A 401 means Google stopped accepting that token
 * early: it is refreshed once (`rejected`) and the call retried once, never more.
 */
export async function withAccessToken<T>(
  userId: string,
  call: (accessToken: string) => Promise<T>,
  deps: AppDeps = appDeps(),
): Promise<T> {
  const token = await getAccessToken(userId, deps);
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof GmailUnauthorizedError)) throw error;
    return call(await getAccessToken(userId, deps, { rejected: token }));
  }
}
