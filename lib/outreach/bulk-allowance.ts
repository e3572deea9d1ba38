import type { AppDeps } from "../platform/deps";
import { sendingPace } from "../mail/pacing";
import { MERGE_PACE, mergeDailyBudget } from "./merge-schedule";

/**
 * What bulk mail (merges and sequences together) may still hand to the outbox for one account now.
 * Both feeders read this one allowance, so they share the bulk pace (MERGE_PACE) and the day's bulk
 * share (mergeDailyBudget), which keeps room for one-to-one email.
 */
export type BulkAllowance = {
  /** Messages that may be queued now: this minute's bulk pace, within what is left of the day's share. */
  left: number;
  /** Set when the day's share is used up: when its oldest send leaves the rolling day. */
  dayFullUntil?: Date;
};

const DAY = 86_400_000;
const STARTED = ["SENDING", "SENT", "UNKNOWN"] as const;

export async function bulkAllowance(userId: string, deps: AppDeps): Promise<BulkAllowance> {
  const { db } = deps;
  const now = deps.now().getTime();
  const bulk = { userId, OR: [{ mergeId: { not: null } }, { sequenceEnrolmentId: { not: null } }] };
  const [pace, waitingInOutbox, lastMinute] = await Promise.all([
    sendingPace(userId, deps),
    db.message.count({ where: { ...bulk, status: { in: ["QUEUED", "SCHEDULED"] } } }),
    db.message.count({ where: { ...bulk, createdAt: { gt: new Date(now - 60_000) } } }),
  ]);
  const dayLeft = mergeDailyBudget(pace.dailyLimit) - pace.lastDay - waitingInOutbox;
  if (dayLeft <= 0) {
    const oldest = await db.message.findFirst({
      where: { userId, status: { in: [...STARTED] }, sendStartedAt: { gt: new Date(now - DAY) } },
      orderBy: { sendStartedAt: "asc" },
      select: { sendStartedAt: true },
    });
    return { left: 0, dayFullUntil: new Date((oldest?.sendStartedAt?.getTime() ?? now) + DAY) };
  }
  return { left: Math.min(dayLeft, MERGE_PACE.sendsPerMinute - lastMinute) };
}
