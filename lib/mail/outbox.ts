import { randomUUID } from "node:crypto";
import { setConnectionStatus } from "../connection/status";
import { noteContacted } from "../crm/contacts";
import { databaseProvider, type MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";
import {
  GMAIL_REQUEST_TIMEOUT_MS,
  GmailNoAnswerError,
  GmailRejectedError,
  GmailUnauthorizedError,
  type SentMessage,
} from "../google/gmail";
import { GoogleRejectedError, GoogleUnavailableError } from "../google/oauth";
import { dropSettledAttachmentContent, NEEDS_RECONNECT_ERROR } from "./messages";
import { buildMime } from "./mime";
import { listUnsubscribeFor, unsubscribedRecipient } from "../outreach/unsubscribe";
import { REFRESH_LEASE_MS, withAccessToken } from "../connection/tokens";
import { sendingPace } from "./pacing";

/**
 * The outbox: claims due messages with a lease, sends each through Gmail, and records the outcome.
 * Any number of workers may run (in the server, `npm run worker`, the cron route): a claim is one
 * conditional update on SQLite and `FOR UPDATE SKIP LOCKED` on PostgreSQL, so no message is ever
 * claimed twice. Gmail has no idempotency key, so a request that left without an answer is never
 * retried by itself: the message becomes UNKNOWN and the user decides.
 *
 * A worker spends most of a send waiting for Gmail (a few hundred milliseconds), so it sends for
 * several accounts at once; one account's messages still go one after another, in claim order, so
 * its pace check (lib/mail/pacing.ts) always sees the sends before it and a follow-up never overtakes.
 */

/**
 * A worker holds a message's lease from its turn until Gmail answers, and renews it twice: when the
 * message's turn in the batch comes, and in the write that records the request leaving. The longest
 * wait between those is for an access token: another process's refresh (its lease, REFRESH_LEASE_MS)
 * and then our own (bounded by the same lease); after the request leaves, Gmail's request timeout.
 * A lease that runs out anyway costs a requeue, never a second send: every write is fenced by it.
 */
const LEASE_MS = 2 * REFRESH_LEASE_MS + GMAIL_REQUEST_TIMEOUT_MS;

export const OUTBOX = {
  leaseMs: LEASE_MS,
  retryBaseMs: 2_000,
  retryCapMs: 15 * 60_000,
  maxAttempts: 8,
  /** Messages claimed per round. */
  batch: 20,
  /** Accounts a worker sends for at the same time (each account's own messages go one at a time). */
  accountsAtOnce: 10,
  /** How long a worker goes on with round after round while each finds a full batch (drainOutbox). */
  drainBudgetMs: 3_000,
} as const;

const leaseMsOf = (deps: AppDeps) => deps.outboxLeaseMs ?? OUTBOX.leaseMs;

export type SendOutcome =
  "sent" | "retry" | "paced" | "failed" | "waiting-for-reconnect" | "unknown" | "lost-lease" | "cancelled";

const DUE: MessageStatus[] = ["QUEUED", "SCHEDULED"];

export type Claim = {
  leaseId: string;
  /** In claim order (the earliest due first). */
  ids: string[];
  /** Each claimed message's sender, so a round can send for several accounts at once. */
  userIdOf: Map<string, string>;
};

/** Claims up to `limit` due messages for this worker; returns their ids with the lease that holds them. */
export async function claimDueMessages(limit: number = OUTBOX.batch, deps: AppDeps = appDeps()): Promise<Claim> {
  const { db } = deps;
  const now = deps.now();
  const leaseId = randomUUID();
  const leaseUntil = new Date(now.getTime() + leaseMsOf(deps));
  if (databaseProvider(db) === "postgresql") {
    const rows = await db.$queryRaw<Array<{ id: string; userId: string; nextAttemptAt: Date }>>`
      UPDATE "Message" SET "status" = 'SENDING', "leaseId" = ${leaseId}, "leaseUntil" = ${leaseUntil},
             "attempts" = "attempts" + 1, "updatedAt" = ${now}
      WHERE "id" IN (
        SELECT "id" FROM "Message"
        WHERE "status" IN ('QUEUED', 'SCHEDULED') AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt" LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "userId", "nextAttemptAt"`;
    // RETURNING follows no order: put the earliest due first again.
    rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
    return { leaseId, ids: rows.map((row) => row.id), userIdOf: new Map(rows.map((row) => [row.id, row.userId])) };
  }
  // SQLite has one writer at a time: each conditional update either takes the row or finds it taken.
  const candidates = await db.message.findMany({
    where: { status: { in: DUE }, nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true, userId: true },
  });
  const ids: string[] = [];
  const userIdOf = new Map<string, string>();
  for (const { id, userId } of candidates) {
    const { count } = await db.message.updateMany({
      where: { id, status: { in: DUE }, nextAttemptAt: { lte: now } },
      data: { status: "SENDING", leaseId, leaseUntil, attempts: { increment: 1 } },
    });
    if (count === 1) {
      ids.push(id);
      userIdOf.set(id, userId);
    }
  }
  return { leaseId, ids, userIdOf };
}

/**
 * Messages whose worker died: if the request to Gmail had not left, they go back in the queue; if it
 * had, nobody knows whether Gmail sent them, so they become UNKNOWN for the user to decide.
 */
export async function recoverExpiredLeases(deps: AppDeps = appDeps()): Promise<{ requeued: number; unknown: number }> {
  const { db } = deps;
  const now = deps.now();
  const expired = { status: "SENDING" as const, leaseUntil: { lt: now } };
  const unknown = await db.message.updateMany({
    where: { ...expired, sendStartedAt: { not: null } },
    data: {
      status: "UNKNOWN",
      leaseId: null,
      leaseUntil: null,
      lastError: "The worker stopped after the request left; Gmail's answer never arrived.",
    },
  });
  const requeued = await db.message.updateMany({
    where: { ...expired, sendStartedAt: null },
    data: { status: "QUEUED", leaseId: null, leaseUntil: null, nextAttemptAt: now },
  });
  return { requeued: requeued.count, unknown: unknown.count };
}

/**
 * Extends this worker's lease on a message, in one conditional write that only a live lease matches;
 * `data` rides along (the request leaving). False means the lease is gone: nothing more may be written.
 */
async function renewLease(
  id: string,
  leaseId: string,
  deps: AppDeps,
  data: { sendStartedAt?: Date } = {},
): Promise<boolean> {
  const now = deps.now();
  const { count } = await deps.db.message.updateMany({
    where: { id, leaseId, status: "SENDING", leaseUntil: { gt: now } },
    data: { leaseUntil: new Date(now.getTime() + leaseMsOf(deps)), ...data },
  });
  return count === 1;
}

/** Thrown inside the send callback when the fencing write finds the lease gone: the request never leaves. */
class LostLeaseError extends Error {}

/**
 * Sends one claimed message and records what happened. The request leaves only after a write that
 * proves this worker still holds the lease (a worker that took the message over cannot have sent it:
 * it requeues only messages whose request never left); every later write is fenced by the lease too.
 */
export async function sendClaimedMessage(id: string, leaseId: string, deps: AppDeps = appDeps()): Promise<SendOutcome> {
  const { db } = deps;
  // The batch's lease was taken at the claim; the message's own time starts at its turn.
  if (!(await renewLease(id, leaseId, deps))) return "lost-lease";
  const message = await db.message.findFirst({
    where: { id, leaseId, status: "SENDING" },
    include: { attachments: true, user: { select: { name: true } }, followUpOf: { select: { gmailThreadId: true } } },
  });
  if (!message) return "lost-lease";
  const held = { id, leaseId, status: "SENDING" as const };
  const release = { leaseId: null, leaseUntil: null };
  // Merge and sequence messages are checked again at their turn: the address may have unsubscribed since.
  const bulk = message.mergeId !== null || message.sequenceEnrolmentId !== null;
  const unsubscribed = bulk ? await unsubscribedRecipient(message.userId, message.to, deps) : undefined;
  if (unsubscribed) {
    const [{ count }] = await db.$transaction([
      db.message.updateMany({
        where: held,
        data: {
          ...release,
          status: "CANCELLED",
          nextAttemptAt: null,
          lastError: `Not sent: ${unsubscribed} unsubscribed.`,
        },
      }),
      dropSettledAttachmentContent(db, message.id),
    ]);
    return count === 1 ? "cancelled" : "lost-lease";
  }
  const pace = await sendingPace(message.userId, deps);
  if (pace.holdUntil) {
    const { count } = await db.message.updateMany({
      where: held,
      data: {
        ...release,
        status: "QUEUED",
        nextAttemptAt: pace.holdUntil,
        attempts: { decrement: 1 },
        lastError: "Held to stay under Gmail's sending limit; it resumes by itself.",
      },
    });
    return count === 1 ? "paced" : "lost-lease";
  }
  const sender = await db.account.findFirst({
    where: { userId: message.userId, provider: "google" },
    orderBy: { createdAt: "asc" },
    select: { id: true, email: true },
  });

  const raw = await buildMime({
    from: sender?.email ? { name: message.user.name, address: sender.email } : undefined,
    to: message.to as string[],
    cc: message.cc as string[],
    bcc: message.bcc as string[],
    subject: message.subject,
    text: message.text,
    attachments: message.attachments.map((file) => ({
      filename: file.filename,
      contentType: file.contentType,
      content: Buffer.from(file.content),
    })),
    messageId: message.rfc822MessageId ?? `<${message.id}@evergreen.invalid>`,
    inReplyTo: message.inReplyTo,
    references: message.references?.split(" ").filter(Boolean),
    date: deps.now(),
    listUnsubscribe: listUnsubscribeFor(message),
  });

  let sent: SentMessage;
  let leftAt: Date | undefined;
  try {
    sent = await withAccessToken(
      message.userId,
      async (token) => {
        // The fence: from this write on, a lost answer means "may have been sent".
        const leaving = deps.now();
        if (!(await renewLease(id, leaseId, deps, { sendStartedAt: leaving }))) throw new LostLeaseError();
        leftAt = leaving;
        // A follow-up names the Gmail thread it joins (google-behavior.md §9.6).
        const threadId = message.followUpOf?.gmailThreadId ?? undefined;
        return deps.google.send(token, { raw, ...(threadId ? { threadId } : {}) });
      },
      deps,
    );
  } catch (error) {
    if (error instanceof LostLeaseError) return "lost-lease";
    return recordFailure(message, error, leftAt !== undefined, deps);
  }
  const sentAt = deps.now();
  const [{ count }] = await db.$transaction([
    db.message.updateMany({
      // Ours while we hold the lease; or, if another worker found it expired after the request left, the
      // UNKNOWN it made of our attempt (its sendStartedAt is ours), which Gmail's answer now settles.
      where: { id, sendStartedAt: leftAt, OR: [{ leaseId, status: "SENDING" }, { status: "UNKNOWN" }] },
      data: {
        ...release,
        status: "SENT",
        sentAt,
        gmailMessageId: sent.id,
        gmailThreadId: sent.threadId,
        lastError: null,
        nextAttemptAt: null,
      },
    }),
    dropSettledAttachmentContent(db, message.id),
  ]);
  if (count === 0) {
    // The user already decided about an unanswered send (sent again, or dismissed it): theirs stands.
    console.error(`[evergreen] outbox: Gmail accepted message ${id} (${sent.id}) after its lease passed on`);
    return "lost-lease";
  }
  // The contacts' "last contacted" is a nicety: failing to note it must not make a sent message a retry.
  const recipients = [...(message.to as string[]), ...(message.cc as string[]), ...(message.bcc as string[])];
  await noteContacted(message.userId, recipients, sentAt, deps).catch((error: unknown) =>
    console.error(`[evergreen] outbox: could not note contacts of message ${message.id}: ${(error as Error).message}`),
  );
  return "sent";
}

async function recordFailure(
  message: { id: string; userId: string; leaseId: string | null; attempts: number },
  error: unknown,
  requestLeft: boolean,
  deps: AppDeps,
): Promise<SendOutcome> {
  const held = { id: message.id, leaseId: message.leaseId, status: "SENDING" as const };
  const release = { leaseId: null, leaseUntil: null, sendStartedAt: null };
  // Every outcome is written only while the lease is still ours; otherwise the worker that took the
  // message over (or the UNKNOWN it made of a request that left) has the last word.
  const record = async (outcome: SendOutcome, data: Record<string, unknown>): Promise<SendOutcome> => {
    const { count } = await deps.db.message.updateMany({ where: held, data });
    return count === 1 ? outcome : "lost-lease";
  };
  const update = (outcome: SendOutcome, data: Record<string, unknown>) => record(outcome, { ...release, ...data });

  if (error instanceof ReconnectRequiredError || isScopeRefusal(error)) {
    const scopeMissing = isScopeRefusal(error);
    if (scopeMissing) await markScopeMissing(message.userId, deps);
    // The cause in a few words; the outbox adds what to do (lib/mail/outbox-copy.ts).
    return update("waiting-for-reconnect", {
      status: "WAITING_FOR_RECONNECT",
      lastError: scopeMissing
        ? "Gmail refused it: the “Send email on your behalf” permission is missing."
        : NEEDS_RECONNECT_ERROR,
      nextAttemptAt: null,
    });
  }
  // Without an answer from Gmail (none came, or ours broke on it), the message may have gone out.
  if (error instanceof GmailNoAnswerError || (requestLeft && !isGoogleAnswer(error))) {
    if (!(error instanceof GmailNoAnswerError))
      console.error(`[evergreen] outbox: message ${message.id} failed after it left: ${(error as Error).message}`);
    return record("unknown", {
      leaseId: null,
      leaseUntil: null,
      status: "UNKNOWN",
      lastError: "Gmail did not answer after the message left.",
    });
  }
  if (error instanceof GmailRejectedError && !isRateLimit(error)) {
    return update("failed", { status: "FAILED", lastError: gmailReason(error), nextAttemptAt: null });
  }
  // A second 401 right after a refresh is Google being inconsistent for a moment: try again later.
  if (error instanceof GoogleUnavailableError || error instanceof GmailUnauthorizedError || isRateLimit(error)) {
    if (message.attempts >= OUTBOX.maxAttempts) {
      return update("failed", {
        status: "FAILED",
        lastError: `Gmail stayed unavailable after ${message.attempts} attempts.`,
        nextAttemptAt: null,
      });
    }
    return update("retry", {
      status: "QUEUED",
      lastError: "Gmail was busy or unavailable; retrying.",
      nextAttemptAt: new Date(deps.now().getTime() + backoffMs(message.attempts)),
    });
  }
  // Anything else is a bug or an operator problem: logged once, and the message waits in the queue.
  console.error(`[evergreen] outbox: message ${message.id} failed unexpectedly: ${(error as Error).message}`);
  return update("retry", {
    status: "QUEUED",
    lastError: "Evergreen hit an unexpected problem; retrying.",
    nextAttemptAt: new Date(deps.now().getTime() + backoffMs(message.attempts)),
  });
}

/** Exponential from about 2 s, capped at 15 min, with full jitter between half and all of it. */
export function backoffMs(attempts: number, random = Math.random): number {
  const ceiling = Math.min(OUTBOX.retryCapMs, OUTBOX.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded"]);
const isRateLimit = (error: unknown) =>
  error instanceof GmailRejectedError && RATE_LIMIT_REASONS.has(error.reason ?? "");
/** Gmail (or Google's token endpoint, before a retry) answered: the message was not sent. */
const isGoogleAnswer = (error: unknown) =>
  error instanceof GmailRejectedError ||
  error instanceof GoogleRejectedError ||
  error instanceof GmailUnauthorizedError ||
  error instanceof GoogleUnavailableError ||
  error instanceof ReconnectRequiredError;
const isScopeRefusal = (error: unknown) =>
  error instanceof GmailRejectedError && error.status === 403 && error.reason === "insufficientPermissions";

function gmailReason(error: GmailRejectedError): string {
  return `Gmail refused this message: ${error.googleMessage ?? `HTTP ${error.status}`}.`;
}

async function markScopeMissing(userId: string, deps: AppDeps) {
  const account = await deps.db.account.findFirst({
    where: { userId, provider: "google" },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  if (!account) return;
  await setConnectionStatus(
    userId,
    account.id,
    {
      status: "MISSING_SCOPE",
      reason: "SCOPE_UNTICKED",
      event: "SCOPE_MISSING",
      detail: "Gmail refused to send: the permission to send email is missing.",
    },
    deps,
  );
}

/** Every outcome at zero, for a round (or a bench) to count into. */
export const noOutcomes = (): Record<SendOutcome, number> => ({
  paced: 0,
  sent: 0,
  retry: 0,
  failed: 0,
  "waiting-for-reconnect": 0,
  unknown: 0,
  "lost-lease": 0,
  cancelled: 0,
});

/**
 * A worker's turn (the outbox job every second): rounds back to back while each claims a full batch,
 * for at most OUTBOX.drainBudgetMs, so a backlog does not wait a tick between rounds and a stopping
 * process still ends within its grace.
 */
export async function drainOutbox(deps: AppDeps = appDeps()): Promise<Record<SendOutcome, number>> {
  const total = noOutcomes();
  const started = performance.now();
  for (;;) {
    const round = await runOutboxOnce(deps);
    let claimed = 0;
    for (const [outcome, count] of Object.entries(round) as Array<[SendOutcome, number]>) {
      total[outcome] += count;
      claimed += count;
    }
    if (claimed < OUTBOX.batch || performance.now() - started >= OUTBOX.drainBudgetMs) return total;
  }
}

/**
 * One pass of a worker: free what dead workers held, claim what is due, send it, for up to
 * `accountsAtOnce` accounts at a time (1 is the serial worker of before, which benches compare).
 * sendClaimedMessage records every outcome itself and never throws for Gmail's answers; should it
 * throw anyway (the database gone), the other lanes finish their messages before the round fails,
 * and the leases of what is left bring it back.
 */
export async function runOutboxOnce(
  deps: AppDeps = appDeps(),
  limit: number = OUTBOX.batch,
  accountsAtOnce: number = OUTBOX.accountsAtOnce,
): Promise<Record<SendOutcome, number>> {
  await recoverExpiredLeases(deps);
  const { leaseId, ids, userIdOf } = await claimDueMessages(limit, deps);
  const outcomes = noOutcomes();
  const byAccount = new Map<string, string[]>();
  for (const id of ids) {
    const userId = userIdOf.get(id)!;
    byAccount.set(userId, [...(byAccount.get(userId) ?? []), id]);
  }
  const queues = [...byAccount.values()];
  // A few lanes take the accounts' queues in turn; a lane sends one account's messages one by one.
  const lanes = Array.from({ length: Math.min(accountsAtOnce, queues.length) }, async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift())
      for (const id of queue) outcomes[await sendClaimedMessage(id, leaseId, deps)] += 1;
  });
  const failed = (await Promise.allSettled(lanes)).find((lane) => lane.status === "rejected");
  if (failed) throw failed.reason;
  return outcomes;
}
