import { connectionAccountOf } from "../connection/status";
import { withAccessToken } from "../connection/tokens";
import {
  GmailNotFoundError,
  GmailRejectedError,
  GmailScopeMissingError,
  GmailUnauthorizedError,
} from "../google/gmail";
import {
  canReadThreadHeaders,
  GMAIL_METADATA_SCOPE,
  GoogleRejectedError,
  GoogleUnavailableError,
  REQUESTED_SCOPES,
} from "../google/oauth";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError, UserError } from "../platform/errors";
import { BOUNCED_STOP_REASON, REPLIED_STOP_REASON, REPLY_DETECTION_MESSAGES } from "./reply-detection-copy";
import { classifyThread } from "./reply-rules";

/**
 * "Stop when they reply", an opt-in: with GMAIL_REPLY_DETECTION=metadata a user may let Evergreen read
 * the headers (never the content) of the Gmail threads its sequences started, with the gmail.metadata
 * scope, and stop an enrolment when its contact replies or the email bounces. Without the setting or
 * the permission, stops are manual (Mark as replied).
 */

/** At most one threads.get per enrolment's thread in this long, on the schedule (the feeder adds one per step). */
export const REPLY_CHECK_INTERVAL_MS = 60 * 60_000;
/** Enrolments checked per run of the job; at one run a minute, 12,000 threads an hour. */
export const REPLY_CHECKS_PER_RUN = 200;

export type ReplyDetectionState = "off-by-deployment" | "off" | "needs-permission" | "on";
export type ReplyCheck = { kind: "replied" | "bounced" | "none" | "manual" | "unavailable" };

/** The Google authorization that adds gmail.metadata to what the user already granted (incremental). */
export type GoogleAuthorizationParams = Record<string, string>;

export async function replyDetectionState(userId: string, deps: AppDeps = appDeps()): Promise<ReplyDetectionState> {
  if (deps.replyDetection !== "metadata") return "off-by-deployment";
  const [user, account] = await Promise.all([
    deps.db.user.findUnique({ where: { id: userId }, select: { replyDetection: true } }),
    deps.db.account.findFirst({ ...connectionAccountOf(userId), select: { scope: true } }),
  ]);
  if (!user?.replyDetection) return "off";
  return canReadThreadHeaders(account?.scope) ? "on" : "needs-permission";
}

/**
 * Google's authorization parameters for a user who turned reply detection on: Evergreen's scopes plus
 * gmail.metadata, with include_granted_scopes so the new tokens keep everything granted before. Empty
 * for everyone else. Every Google sign-in of such a user asks for it, or a new refresh token would lack it.
 */
export async function replyDetectionAuthorization(
  who: { userId: string } | { providerAccountId: string },
  deps: AppDeps = appDeps(),
): Promise<GoogleAuthorizationParams> {
  if (deps.replyDetection !== "metadata") return {};
  const user = await deps.db.user.findFirst({
    where: "userId" in who ? { id: who.userId } : { accounts: { some: { providerAccountId: who.providerAccountId } } },
    select: { replyDetection: true },
  });
  if (!user?.replyDetection) return {};
  return { scope: [...REQUESTED_SCOPES, GMAIL_METADATA_SCOPE].join(" "), include_granted_scopes: "true" };
}

/**
 * Turns "Stop when they reply" on or off for the user. Turned on without gmail.metadata granted, the
 * answer carries the Google authorization that asks for it (the caller starts that sign-in).
 */
export async function setReplyDetection(
  userId: string,
  on: boolean,
  deps: AppDeps = appDeps(),
): Promise<{ state: ReplyDetectionState; authorization?: GoogleAuthorizationParams }> {
  if (deps.replyDetection !== "metadata") throw new UserError(REPLY_DETECTION_MESSAGES.notAvailable);
  await deps.db.user.update({ where: { id: userId }, data: { replyDetection: on } });
  const state = await replyDetectionState(userId, deps);
  if (state !== "needs-permission") return { state };
  const account = await deps.db.account.findFirst({ ...connectionAccountOf(userId), select: { email: true } });
  const hint: GoogleAuthorizationParams = account?.email ? { login_hint: account.email } : {};
  return { state, authorization: { ...(await replyDetectionAuthorization({ userId }, deps)), ...hint } };
}

/**
 * Reads the headers of an active enrolment's thread once and acts on them: a reply stops it as
 * REPLIED at the reply's date, a bounce stops it as a failed step; auto-replies change nothing.
 * "manual": detection is not on for this user, Google refused the scope, or the thread is gone;
 * "unavailable": Gmail could not be asked now (reconnect needed, Google down). Either way the
 * enrolment is not stopped, and the next scheduled check is an interval away. Only headers are read.
 */
export async function checkEnrolmentForReply(enrolmentId: string, deps: AppDeps = appDeps()): Promise<ReplyCheck> {
  const { db } = deps;
  const enrolment = await db.sequenceEnrolment.findUnique({
    where: { id: enrolmentId },
    select: { id: true, userId: true, state: true, firstMessageId: true },
  });
  if (!enrolment || enrolment.state !== "ACTIVE" || !enrolment.firstMessageId) return { kind: "none" };
  const { userId } = enrolment;
  const now = deps.now();
  const checked = async (data: Record<string, unknown> = {}) => {
    await db.sequenceEnrolment.updateMany({
      where: { id: enrolment.id },
      data: { nextReplyCheckAt: new Date(now.getTime() + REPLY_CHECK_INTERVAL_MS), ...data },
    });
  };

  const state = await replyDetectionState(userId, deps);
  if (state !== "on") {
    await checked();
    return { kind: "manual" };
  }
  const [first, account, user] = await Promise.all([
    db.message.findFirst({
      where: { id: enrolment.firstMessageId, userId, status: "SENT" },
      select: { gmailThreadId: true },
    }),
    db.account.findFirst({ ...connectionAccountOf(userId), select: { email: true } }),
    db.user.findUnique({ where: { id: userId }, select: { email: true } }),
  ]);
  if (!first?.gmailThreadId) {
    await checked();
    return { kind: "none" };
  }

  let verdict: ReturnType<typeof classifyThread>;
  try {
    const messages = await withAccessToken(
      userId,
      (token) => deps.google.threadMetadata(token, first.gmailThreadId!),
      deps,
    );
    verdict = classifyThread(
      messages,
      [account?.email, user?.email].filter((address): address is string => Boolean(address)),
    );
  } catch (error) {
    const kind = unreadable(error, enrolment.id);
    await checked();
    return { kind };
  }

  const checkedNow = { replyCheckedAt: now, nextReplyCheckAt: new Date(now.getTime() + REPLY_CHECK_INTERVAL_MS) };
  const stop = { endedAt: now, nextSendAt: null, lateSince: null, ...checkedNow };
  if (verdict.reply) {
    await db.sequenceEnrolment.updateMany({
      where: { id: enrolment.id, state: "ACTIVE" },
      data: { state: "REPLIED", repliedAt: verdict.reply.at, stopReason: REPLIED_STOP_REASON, ...stop },
    });
    return { kind: "replied" };
  }
  if (verdict.bounce) {
    await db.sequenceEnrolment.updateMany({
      where: { id: enrolment.id, state: "ACTIVE" },
      data: { state: "STOPPED", stopReason: BOUNCED_STOP_REASON, ...stop },
    });
    return { kind: "bounced" };
  }
  await checked(checkedNow);
  return { kind: "none" };
}

/** Why a thread could not be read, as a check's outcome; anything unexpected is thrown. */
function unreadable(error: unknown, enrolmentId: string): "manual" | "unavailable" {
  // The grant lacks gmail.metadata whatever the stored scope said, or the user deleted the thread.
  if (error instanceof GmailScopeMissingError || error instanceof GmailNotFoundError) return "manual";
  if (
    error instanceof ReconnectRequiredError ||
    error instanceof GoogleUnavailableError ||
    error instanceof GmailUnauthorizedError
  )
    return "unavailable";
  if (error instanceof GmailRejectedError || error instanceof GoogleRejectedError) {
    console.error(`[evergreen] reply check of enrolment ${enrolmentId}: ${error.message}`);
    return "unavailable";
  }
  throw error;
}

export type ReplyCheckRun = Record<ReplyCheck["kind"], number>;

/**
 * The scheduled job: active enrolments whose first email is out and whose check is due, of users who
 * turned detection on, longest waiting first. Each is claimed by moving its next check an interval on
 * in one conditional write, so servers running this at once never read a thread twice in an interval.
 */
export async function checkRepliesDue(deps: AppDeps = appDeps(), limit = REPLY_CHECKS_PER_RUN): Promise<ReplyCheckRun> {
  const run: ReplyCheckRun = { replied: 0, bounced: 0, none: 0, manual: 0, unavailable: 0 };
  if (deps.replyDetection !== "metadata") return run;
  const now = deps.now();
  const due = { OR: [{ nextReplyCheckAt: null }, { nextReplyCheckAt: { lte: now } }] };
  const enrolments = await deps.db.sequenceEnrolment.findMany({
    where: {
      state: "ACTIVE",
      firstMessageId: { not: null },
      ...due,
      sequence: { user: { replyDetection: true } },
    },
    orderBy: [{ nextReplyCheckAt: { sort: "asc", nulls: "first" } }, { id: "asc" }],
    take: limit,
    select: { id: true },
  });
  for (const { id } of enrolments) {
    const claimed = await deps.db.sequenceEnrolment.updateMany({
      where: { id, state: "ACTIVE", ...due },
      data: { nextReplyCheckAt: new Date(now.getTime() + REPLY_CHECK_INTERVAL_MS) },
    });
    if (claimed.count === 0) continue;
    try {
      run[(await checkEnrolmentForReply(id, deps)).kind] += 1;
    } catch (error) {
      console.error(`[evergreen] reply check of enrolment ${id} failed: ${(error as Error).message}`);
    }
  }
  return run;
}
