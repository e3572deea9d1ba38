import { getAccessToken } from "../connection/tokens";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";

const getAccessTokenRenewedWithin = (userId: string, deps: AppDeps) =>
  getAccessToken(userId, deps, { renewedSince: new Date(deps.now().getTime() - 60 * 60_000) });

/** A scheduled message is checked this long before it is due, so a dead connection is reported in time to fix. */
export const SCHEDULED_CHECK_AHEAD_MS = 2 * 60 * 60_000;

/**
 * Proves the connection of every user with a message scheduled within the next two hours (one renewal
 * at most an hour old will do); a connection found dead parks those messages as waiting for a
 * reconnect, which the outbox page and the banner show, at least an hour before they were due.
 */
export async function checkScheduledConnections(
  deps: AppDeps = appDeps(),
): Promise<{ checked: number; parked: number }> {
  const now = deps.now();
  const soon = await deps.db.message.findMany({
    where: { status: "SCHEDULED", nextAttemptAt: { lte: new Date(now.getTime() + SCHEDULED_CHECK_AHEAD_MS) } },
    distinct: ["userId"],
    select: { userId: true },
  });
  let parked = 0;
  for (const { userId } of soon) {
    try {
      await getAccessTokenRenewedWithin(userId, deps);
    } catch (error) {
      if (!(error instanceof ReconnectRequiredError)) continue;
      const { count } = await deps.db.message.updateMany({
        where: { userId, status: "SCHEDULED" },
        data: {
          status: "WAITING_FOR_RECONNECT",
          lastError: "Gmail needs to be reconnected before this message's time.",
        },
      });
      parked += count;
    }
  }
  return { checked: soon.length, parked };
}
