import { randomUUID } from "node:crypto";
import { GOOGLE, NO_STORED_TOKENS, setConnectionStatus, storedTokensReadable } from "./status";
import { appDeps, type AppDeps } from "../platform/deps";
import type { GoogleGateway } from "../google/gateway";
import { GoogleUnavailableError } from "../google/oauth";

/**
 * Ending Evergreen's access at Google: disconnect, and the queue of revokes Google did not answer.
 * Outcomes are classified (unreachable → retried; already invalid → done; refused → not retried) and
 * recorded in fixed words; raw errors go to the server log only.
 */

export type DisconnectOutcome =
  | "revoked"
  | "nothing-to-revoke"
  | "revoke-pending"
  | "revoke-refused"
  | "credentials-unreadable"
  | "already-disconnected";

const REVOKE_RETRY_BASE_MS = 30_000;
const REVOKE_RETRY_MAX_MS = 60 * 60_000;
// A claimed retry is not picked up by another process for this long, even if its holder dies: far
// longer than one revoke (a 10 s request timeout, and google-auth-library's few retries).
const REVOKE_CLAIM_MS = 5 * 60_000;
const REMOVE_AT_GOOGLE = "You can remove Evergreen yourself at Google Account → Security → Third-party access.";

export const REVOKE_EVENT_DETAIL = {
  revoked: "Google confirmed the access is revoked.",
  alreadyInvalid: "Google says the access had already ended.",
  pending: "Google could not be reached to revoke the access. Evergreen will retry.",
  refused: `Google refused to revoke the access. ${REMOVE_AT_GOOGLE}`,
  unreadable: `Evergreen could not read its stored credentials, so it could not revoke the access. ${REMOVE_AT_GOOGLE}`,
} as const;

type Attempt = { outcome: "revoked" | "already-invalid" | "unavailable" | "refused"; error?: unknown };

async function attemptRevoke(google: GoogleGateway, token: string): Promise<Attempt> {
  try {
    return { outcome: await google.revoke(token) };
  } catch (error) {
    return { outcome: error instanceof GoogleUnavailableError ? "unavailable" : "refused", error };
  }
}

function logFailure(context: string, error: unknown) {
  console.error(`[evergreen] ${context}:`, error instanceof Error ? error.message : error);
}

/**
 * Disconnect: revoke the grant at Google, wipe the tokens here, record it. When Google cannot be
 * reached the token is kept (sealed) only for a later revoke, and the outcome says so.
 */
export async function disconnectGmail(userId: string, deps: AppDeps = appDeps()): Promise<DisconnectOutcome> {
  const { db, vault } = deps;
  const account = await db.account.findFirst({
    where: { userId, provider: GOOGLE },
    orderBy: { createdAt: "asc" },
    select: { id: true, status: true, providerAccountId: true, refresh_token: true, access_token: true },
  });
  if (!account || (account.status === "DISCONNECTED" && !account.refresh_token && !account.access_token))
    return "already-disconnected";

  // Revoking the refresh token ends the whole grant; an access token alone is the fallback.
  const stored = account.refresh_token ?? account.access_token;
  let outcome: DisconnectOutcome = "nothing-to-revoke";
  let token: string | undefined;
  if (stored && !storedTokensReadable(vault, account.id, stored)) outcome = "credentials-unreadable";
  else if (stored) {
    token = vault.open(stored, account.id);
    const attempt = await attemptRevoke(deps.google, token);
    if (attempt.error) logFailure(`revoke at disconnect (${attempt.outcome})`, attempt.error);
    outcome = {
      revoked: "revoked",
      "already-invalid": "revoked",
      unavailable: "revoke-pending",
      refused: "revoke-refused",
    }[attempt.outcome] as DisconnectOutcome;
  }

  const at = deps.now();
  const pendingId = randomUUID();
  const revokeDetail = {
    revoked: REVOKE_EVENT_DETAIL.revoked,
    "revoke-pending": REVOKE_EVENT_DETAIL.pending,
    "revoke-refused": REVOKE_EVENT_DETAIL.refused,
    "credentials-unreadable": REVOKE_EVENT_DETAIL.unreadable,
  } as Partial<Record<DisconnectOutcome, string>>;
  const detail = revokeDetail[outcome];
  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        ...NO_STORED_TOKENS,
        status: "DISCONNECTED",
        statusReason: "USER_DISCONNECTED",
        statusChangedAt: at,
        refreshLeaseId: null,
        refreshLeaseUntil: null,
      },
    }),
    ...(outcome === "revoke-pending"
      ? [
          db.pendingRevocation.create({
            data: {
              id: pendingId,
              userId,
              providerAccountId: account.providerAccountId,
              token: vault.seal(token!, pendingId),
              attempts: 1,
              lastError: "unreachable at disconnect",
              nextAttemptAt: new Date(at.getTime() + REVOKE_RETRY_BASE_MS),
            },
          }),
        ]
      : []),
    db.connectionEvent.createMany({
      data: [
        {
          userId,
          accountId: account.id,
          kind: "DISCONNECTED" as const,
          detail: "You disconnected Gmail; tokens deleted from Evergreen.",
          createdAt: at,
        },
        ...(detail
          ? [
              {
                userId,
                accountId: account.id,
                kind: outcome === "revoked" ? ("REVOKE_SUCCEEDED" as const) : ("REVOKE_FAILED" as const),
                detail,
                createdAt: at,
              },
            ]
          : []),
      ],
    }),
  ]);
  return outcome;
}

/**
 * Retries revokes that failed at disconnect time, with capped exponential backoff. Each row is claimed
 * with a conditional update first, so several servers never revoke the same token twice. A revoke that
 * reached Google after the same Google account consented again has ended that new grant too (Google
 * revokes the whole grant), so the connection is marked as needing a reconnect rather than left "Connected".
 */
export async function retryPendingRevocations(
  limit = 20,
  deps: AppDeps = appDeps(),
): Promise<{ revoked: number; failed: number }> {
  const { db, vault } = deps;
  const at = deps.now();
  const due = await db.pendingRevocation.findMany({
    where: { nextAttemptAt: { lte: at } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
  });
  let revoked = 0;
  let failed = 0;
  for (const pending of due) {
    // The claim is the row's next attempt time pushed out with one more attempt counted; every later
    // write matches exactly that, so a holder whose claim lapsed and was taken over writes nothing.
    const claim = {
      id: pending.id,
      attempts: pending.attempts + 1,
      nextAttemptAt: new Date(at.getTime() + REVOKE_CLAIM_MS),
    };
    const claimed = await db.pendingRevocation.updateMany({
      where: { id: pending.id, attempts: pending.attempts, nextAttemptAt: pending.nextAttemptAt },
      data: { attempts: claim.attempts, nextAttemptAt: claim.nextAttemptAt },
    });
    if (claimed.count === 0) continue;

    const attempt = await attemptRevoke(deps.google, vault.open(pending.token, pending.id));
    if (attempt.outcome === "unavailable") {
      failed += 1;
      const delay = Math.min(REVOKE_RETRY_BASE_MS * 2 ** (pending.attempts + 1), REVOKE_RETRY_MAX_MS);
      await db.pendingRevocation.updateMany({
        where: claim,
        data: {
          lastError: (attempt.error as Error).message.slice(0, 200),
          nextAttemptAt: new Date(at.getTime() + delay),
        },
      });
      continue;
    }
    if (attempt.error) logFailure("queued revoke refused by Google; not retrying", attempt.error);
    const detail = {
      revoked: REVOKE_EVENT_DETAIL.revoked,
      "already-invalid": REVOKE_EVENT_DETAIL.alreadyInvalid,
      refused: REVOKE_EVENT_DETAIL.refused,
    }[attempt.outcome];
    const settled = await db.$transaction(async (tx) => {
      const { count } = await tx.pendingRevocation.deleteMany({ where: claim });
      if (count === 0) return false;
      await tx.connectionEvent.create({
        data: {
          userId: pending.userId,
          kind: attempt.outcome === "refused" ? "REVOKE_FAILED" : "REVOKE_SUCCEEDED",
          detail,
          createdAt: at,
        },
      });
      return true;
    });
    // What Google did is a fact whoever holds the row: a revoke that landed after a new consent ended it too.
    if (attempt.outcome === "revoked") await markRegrantEnded(pending, deps);
    // The row was taken over after our claim lapsed, or dropped by a new consent: not ours to count.
    if (!settled) continue;
    if (attempt.outcome === "refused") failed += 1;
    else revoked += 1;
  }
  return { revoked, failed };
}

async function markRegrantEnded(pending: { providerAccountId: string | null; createdAt: Date }, deps: AppDeps) {
  if (!pending.providerAccountId) return;
  const account = await deps.db.account.findUnique({
    where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId: pending.providerAccountId } },
    select: { id: true, userId: true, status: true, consentedAt: true },
  });
  if (!account || account.status === "DISCONNECTED" || !account.consentedAt || account.consentedAt <= pending.createdAt)
    return;
  await setConnectionStatus(
    account.userId,
    account.id,
    {
      status: "NEEDS_RECONNECT",
      reason: "REVOKED",
      event: "REVOKE_SUCCEEDED",
      detail:
        "A revoke Evergreen had queued reached Google just as you reconnected, and Google ended the new access with it. Reconnect once more.",
    },
    deps,
  );
}
