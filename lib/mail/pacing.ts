import { appDeps, type AppDeps } from "../platform/deps";

/**
 * Gmail's per-user limits: 15,000 quota units a minute at 100 a send (150 sends), and a daily sending
 * cap (2,000 for Workspace, 500 for consumer Gmail; GMAIL_DAILY_SEND_LIMIT). Evergreen keeps under
 * 95% of both, so Google's own limit is never what stops a message. An operator may set a slower pace
 * a minute (GMAIL_SENDS_PER_MINUTE), kept the same way.
 */
export const PACING = { sendsPerMinute: 150, holdAt: 0.95, warnAt: 0.8 } as const;

export type SendingPace = {
  lastMinute: number;
  lastDay: number;
  dailyLimit: number;
  holdUntil?: Date;
  warning: boolean;
};

const STARTED = ["SENDING", "SENT", "UNKNOWN"] as const;

/** How close a user is to Gmail's limits, and until when sending holds if too close. */
export async function sendingPace(userId: string, deps: AppDeps = appDeps()): Promise<SendingPace> {
  const now = deps.now().getTime();
  const dailyLimit = deps.dailySendLimit;
  const since = (ms: number) => ({ userId, status: { in: [...STARTED] }, sendStartedAt: { gt: new Date(now - ms) } });
  const [lastMinute, lastDay] = await Promise.all([
    deps.db.message.count({ where: since(60_000) }),
    deps.db.message.count({ where: since(24 * 60 * 60_000) }),
  ]);
  // The window frees when its oldest send ages out of it.
  const oldestIn = async (ms: number) =>
    (
      await deps.db.message.findFirst({
        where: since(ms),
        orderBy: { sendStartedAt: "asc" },
        select: { sendStartedAt: true },
      })
    )?.sendStartedAt;
  let holdUntil: Date | undefined;
  // The day's hold leaves headroom (95% rounded down); the minute's quota is used to 95% (rounded up).
  if (lastDay >= Math.floor(dailyLimit * PACING.holdAt)) {
    const oldest = await oldestIn(24 * 60 * 60_000);
    holdUntil = new Date((oldest?.getTime() ?? now) + 24 * 60 * 60_000);
  } else if (lastMinute >= Math.ceil((deps.sendsPerMinute ?? PACING.sendsPerMinute) * PACING.holdAt)) {
    const oldest = await oldestIn(60_000);
    holdUntil = new Date((oldest?.getTime() ?? now) + 60_000);
  }
  return { lastMinute, lastDay, dailyLimit, holdUntil, warning: lastDay >= dailyLimit * PACING.warnAt };
}
