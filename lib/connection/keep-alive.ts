import { GOOGLE } from "./status";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";
import { GoogleRejectedError, GoogleUnavailableError } from "../google/oauth";
import { getAccessToken } from "./tokens";

/**
 * Keep-alive: renews connections nobody has used for a while, so Google's six-month rule for unused
 * access never ends one, and a grant that died quietly (revoked at Google, Testing's 7 days) is found
 * by Evergreen rather than by the user's next send.
 */

const DAY_MS = 24 * 60 * 60_000;
/** A 26th of Google's six months (downtime costs nothing), Testing's 7 days (checked the day it ends), one call a week. */
export const KEEP_ALIVE_IDLE_MS = 7 * DAY_MS;
/** A renewal that failed on Google's side or ours (not the user's) is tried again after this. */
export const KEEP_ALIVE_RETRY_MS = 60 * 60_000;

export type KeepAliveOutcome = { renewed: number; ended: number; failed: number };

/**
 * Connected accounts whose latest sign of life (consent, renewal, use) is older than the idle limit,
 * or whose last renewal failed for a reason that was not the user's (so a fixed server configuration
 * heals everyone within the hour); those that failed within the retry interval wait their turn.
 */
function dueAccounts(now: Date) {
  const idleSince = new Date(now.getTime() - KEEP_ALIVE_IDLE_MS);
  const retryAfter = new Date(now.getTime() - KEEP_ALIVE_RETRY_MS);
  const idle = (column: "consentedAt" | "lastRefreshedAt" | "lastUsedAt") => ({
    OR: [{ [column]: null }, { [column]: { lt: idleSince } }],
  });
  return {
    provider: GOOGLE,
    status: "CONNECTED" as const,
    AND: [
      { OR: [{ refreshProblemAt: null }, { refreshProblemAt: { lt: retryAfter } }] },
      { OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }] },
      {
        OR: [
          { refreshProblem: { not: null } },
          { AND: [idle("consentedAt"), idle("lastRefreshedAt"), idle("lastUsedAt")] },
        ],
      },
    ],
  };
}

/**
 * One pass of the keep-alive over at most `limit` due connections, renewed one at a time. Safe to run
 * on every server at once: an account is checked again right before its renewal (one another server
 * just renewed is no longer due), and getAccessToken's lease lets one refresh through at a time, the
 * others taking its result.
 */
export async function keepConnectionsAlive(limit = 50, deps: AppDeps = appDeps()): Promise<KeepAliveOutcome> {
  const { db } = deps;
  const due = await db.account.findMany({
    where: dueAccounts(deps.now()),
    orderBy: [{ lastRefreshedAt: { sort: "asc", nulls: "first" } }, { consentedAt: "asc" }],
    take: limit,
    select: { id: true, userId: true, refreshProblemAt: true },
  });
  const outcome: KeepAliveOutcome = { renewed: 0, ended: 0, failed: 0 };
  for (const account of due) {
    const stillDue = await db.account.count({ where: { id: account.id, ...dueAccounts(deps.now()) } });
    if (stillDue === 0) continue;
    try {
      // Any renewal after the idle cut-off (or after the failure being retried) will do, whoever made it.
      const renewedSince = account.refreshProblemAt ?? new Date(deps.now().getTime() - KEEP_ALIVE_IDLE_MS);
      await getAccessToken(account.userId, deps, { renewedSince });
      outcome.renewed += 1;
    } catch (error) {
      if (error instanceof ReconnectRequiredError) outcome.ended += 1;
      else {
        outcome.failed += 1;
        // getAccessToken already logged a configuration problem and recorded both kinds on the account.
        if (!(error instanceof GoogleUnavailableError || error instanceof GoogleRejectedError))
          console.error(`[evergreen] keep-alive of account ${account.id} failed`, error);
      }
    }
  }
  return outcome;
}
