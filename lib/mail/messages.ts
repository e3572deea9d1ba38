import { isRecordId, isUniqueViolation, type MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { findFollowUpSource } from "./follow-up";
import { threadHeaders } from "./follow-up-rules";
import { recipientAddress } from "./email-address";
import { UserError } from "../platform/errors";
import { contactIdForRecipients } from "../crm/contacts";
import { newMessageId } from "./mime";
import { newUnsubscribeKey, refuseUnconfirmedSuppressed, withUnsubscribeFooter } from "../outreach/unsubscribe";
import { MERGE_INTERVAL_MS, MERGE_PACE } from "../outreach/merge-schedule";
import { MAX_ATTACHMENTS_BYTES, MAX_SCHEDULE_MS, MIN_SCHEDULE_MS, type ValidMessage } from "./compose";

/**
 * How a message enters the outbox, and the user's writes to it after. Storing is all the send action
 * does: keyed by the form's idempotency key, so a double click or a replayed request finds the same
 * row; Google is called later, by the outbox (lib/mail/outbox.ts). What the form may send is
 * lib/mail/compose.ts.
 */

/** Attachment bytes one user's unsent email may hold in the database (ten full messages). */
export const MAX_WAITING_ATTACHMENT_BYTES = 10 * MAX_ATTACHMENTS_BYTES;
/** Send waits this long, so the user can take it back. */
export const UNDO_WINDOW_MS = 10_000;

export type QueuedMessage = { id: string; status: MessageStatus; sendAt: Date; duplicate: boolean };

/** A message's MessageRecipient rows: each To, Cc and Bcc address once, lower-cased, at the message's creation time. */
export function recipientRows(userId: string, createdAt: Date, ...lists: ReadonlyArray<readonly string[]>) {
  const emails = new Set(lists.flat().map(recipientAddress));
  return [...emails].map((email) => ({ userId, email, createdAt }));
}

/**
 * Puts a validated message in the outbox: due after the undo window, or at its scheduled time (1
 * minute to 30 days ahead). The same idempotency key returns the row it already made (the unique
 * key decides, so the common case is one write and no read).
 */
export async function enqueueMessage(
  userId: string,
  message: ValidMessage,
  deps: AppDeps = appDeps(),
): Promise<QueuedMessage> {
  const { db } = deps;
  const now = deps.now().getTime();
  const scheduled = message.sendAt !== undefined;
  if (
    scheduled &&
    (message.sendAt!.getTime() < now + MIN_SCHEDULE_MS - 5_000 || message.sendAt!.getTime() > now + MAX_SCHEDULE_MS)
  ) {
    throw new UserError("Schedule: pick a time from 1 minute to 30 days ahead.", "sendAt");
  }
  const sendAt = scheduled ? message.sendAt! : new Date(now + UNDO_WINDOW_MS);
  const adding = message.attachments.reduce((sum, file) => sum + file.content.length, 0);
  if (adding > 0) {
    const waiting = await waitingAttachmentBytes(userId, deps);
    if (waiting + adding > MAX_WAITING_ATTACHMENT_BYTES) {
      // The same form again (a double click) finds its message, whose files are among those waiting.
      const existing = await findResubmittedMessage(userId, message, deps);
      if (existing) return existing;
      throw new UserError(
        `Attachments: your unsent email already holds ${formatMegabytes(waiting)} of files, and at most ${formatMegabytes(MAX_WAITING_ATTACHMENT_BYTES)} can wait to be sent. Send this once some of it has gone out, or cancel scheduled email with large files in the outbox.`,
        "attachments",
      );
    }
  }
  const [sender, contactId, followUpOf] = await Promise.all([
    db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { email: true },
    }),
    // Looked up on the server, scoped to the user: the client's word is not trusted for it.
    contactIdForRecipients(userId, message.to, deps),
    message.followUpOf ? findFollowUpSource(userId, message.followUpOf, deps) : null,
  ]);
  if (message.followUpOf && !followUpOf)
    throw new UserError("The email to follow up on is not one of your sent emails; start a new message.", "followUpOf");
  // A follow-up's thread headers come from Evergreen's record of the sent message, never from the form.
  const thread = followUpOf ? threadHeaders(followUpOf) : undefined;
  // An address that unsubscribed gets email only once the user said "Send anyway" for it.
  await refuseUnconfirmedSuppressed(
    userId,
    [...message.to, ...message.cc, ...message.bcc],
    message.sendToUnsubscribed ?? [],
    deps,
  );
  // The footer is part of the stored body, so what is stored is what is sent.
  const unsubscribeKey = message.unsubscribeLink ? newUnsubscribeKey() : null;
  const text = unsubscribeKey ? withUnsubscribeFooter(message.body, unsubscribeKey, message.to[0]!) : message.body;
  // The recipients index copies the creation time, so both are set here rather than by the database.
  const createdAt = new Date(now);
  try {
    const created = await db.message.create({
      data: {
        userId,
        createdAt,
        recipients: { create: recipientRows(userId, createdAt, message.to, message.cc, message.bcc) },
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        subject: message.subject,
        text,
        unsubscribeKey,
        status: scheduled ? "SCHEDULED" : "QUEUED",
        idempotencyKey: message.idempotencyKey,
        sendAt: scheduled ? sendAt : null,
        nextAttemptAt: sendAt,
        rfc822MessageId: newMessageId(sender?.email ?? "evergreen.invalid"),
        contactId,
        inReplyTo: thread?.inReplyTo ?? message.inReplyTo,
        ...(thread ? { followUpOfId: followUpOf!.id, references: thread.references.join(" ") } : {}),
        attachments: {
          create: message.attachments.map((file) => ({
            filename: file.filename,
            contentType: file.contentType,
            size: file.content.length,
            content: Uint8Array.from(file.content),
          })),
        },
      },
      select: { id: true, status: true },
    });
    return { ...created, sendAt, duplicate: false };
  } catch (error) {
    // The user's key is taken: a double click, a replayed request, or two identical requests at once.
    if (!isUniqueViolation(error)) throw error;
    const existing = await findResubmittedMessage(userId, message, deps);
    if (!existing) throw new UserError("The form is out of date; reload the page.");
    return existing;
  }
}

/**
 * The message an idempotency key already made for this user: a resubmitted form (a lost answer, a
 * replay, a double click) finds it rather than making another. The same key with other content is no
 * resubmission (two tabs writing from one saved draft): that message is refused, never reported as
 * the other's. Keys are unique per user, so another user's message is never found by its key.
 */
export async function findResubmittedMessage(
  userId: string,
  message: Pick<
    ValidMessage,
    "idempotencyKey" | "to" | "cc" | "bcc" | "subject" | "body" | "attachments" | "unsubscribeLink"
  >,
  deps: AppDeps = appDeps(),
): Promise<QueuedMessage | undefined> {
  const existing = await deps.db.message.findUnique({
    where: { userId_idempotencyKey: { userId, idempotencyKey: message.idempotencyKey } },
    select: {
      id: true,
      status: true,
      nextAttemptAt: true,
      to: true,
      cc: true,
      bcc: true,
      subject: true,
      text: true,
      unsubscribeKey: true,
      attachments: { select: { filename: true, size: true } },
    },
  });
  if (!existing) return undefined;
  // The stored body ends with the unsubscribe footer the form's body was given.
  const key = existing.unsubscribeKey;
  const text = key && message.unsubscribeLink ? withUnsubscribeFooter(message.body, key, message.to[0]!) : message.body;
  if (Boolean(key) !== Boolean(message.unsubscribeLink) || contentOf(existing) !== contentOf({ ...message, text })) {
    throw new UserError(
      `Not sent: this draft was already sent from another tab or window, as “${existing.subject || "(no subject)"}”. Your message is still here; send it again to send it too.`,
    );
  }
  return { id: existing.id, status: existing.status, sendAt: existing.nextAttemptAt ?? new Date(0), duplicate: true };
}

/** What makes two submissions the same message: recipients, subject, body and the files' names and sizes. */
function contentOf(message: {
  to: unknown;
  cc: unknown;
  bcc: unknown;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; size?: number; content?: Buffer }>;
}): string {
  const files = message.attachments.map((file) => `${file.size ?? file.content?.length ?? 0} ${file.filename}`).sort();
  return JSON.stringify([message.to, message.cc, message.bcc, message.subject, message.text, files]);
}

/** Statuses whose message may still be sent, so it keeps its attachments' bytes. */
const HOLDS_ATTACHMENTS: MessageStatus[] = [
  "SCHEDULED",
  "QUEUED",
  "SENDING",
  "WAITING_FOR_RECONNECT",
  "FAILED",
  "UNKNOWN",
];

// Every user may upload, so the attachment bytes waiting to be sent are capped per user.
async function waitingAttachmentBytes(userId: string, deps: AppDeps): Promise<number> {
  const { _sum } = await deps.db.attachment.aggregate({
    _sum: { size: true },
    where: { message: { userId, status: { in: HOLDS_ATTACHMENTS } } },
  });
  return _sum.size ?? 0;
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Takes a message back while it is still waiting (the undo window, or a scheduled time). */
export async function cancelMessage(userId: string, messageId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(messageId)) return false;
  const [{ count }] = await deps.db.$transaction([
    deps.db.message.updateMany({
      where: { id: messageId, userId, status: { in: ["QUEUED", "SCHEDULED", "WAITING_FOR_RECONNECT"] }, leaseId: null },
      data: { status: "CANCELLED", nextAttemptAt: null },
    }),
    dropSettledAttachmentContent(deps.db, messageId),
  ]);
  return count === 1;
}

/**
 * Once a message is sent or cancelled, its attachments' bytes are never read again (Gmail keeps the
 * sent copy; Undo restores the files from the browser), so they leave the database; name, type and
 * size stay for the outbox. A write for the same transaction as the status change, and a no-op for a
 * message in any other state.
 */
export function dropSettledAttachmentContent(db: AppDeps["db"], messageId: string) {
  return db.attachment.updateMany({
    where: { messageId, message: { status: { in: ["SENT", "CANCELLED"] } } },
    data: { content: new Uint8Array() },
  });
}

/** Where one of the user's messages stands, for the compose page's confirmation after the undo window. */
export async function getMessageStatus(
  userId: string,
  messageId: string,
  deps: AppDeps = appDeps(),
): Promise<{ status: MessageStatus; lastError: string | null } | null> {
  if (!isRecordId(messageId)) return null;
  return deps.db.message.findFirst({ where: { id: messageId, userId }, select: { status: true, lastError: true } });
}

/**
 * The user's decisions about messages the outbox could not settle alone. Each is one conditional
 * update scoped to the user, so it only applies to a message still in the state the user saw.
 */
export async function decideMessage(
  userId: string,
  messageId: string,
  decision: "retry" | "send-again" | "dismiss",
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(messageId)) return false;
  const now = deps.now();
  const from: MessageStatus = decision === "retry" ? "FAILED" : "UNKNOWN";
  const data =
    decision === "dismiss"
      ? { status: "CANCELLED" as const, lastError: "Dismissed after checking Gmail." }
      : { status: "QUEUED" as const, nextAttemptAt: now, attempts: 0, lastError: null, sendStartedAt: null };
  const [{ count }] = await deps.db.$transaction([
    deps.db.message.updateMany({ where: { id: messageId, userId, status: from }, data }),
    dropSettledAttachmentContent(deps.db, messageId),
  ]);
  return count === 1;
}

/**
 * The merge messages that wait for a reconnect, in the order the merge queued them: those the feeder
 * had handed to the outbox before anyone knew Google access had ended. Read before the reconnect's
 * transaction, which spaces them out (resumeWaitingMessages).
 */
export async function waitingMergeMessageIds(db: AppDeps["db"], userId: string): Promise<string[]> {
  const rows = await db.message.findMany({
    where: { userId, status: "WAITING_FOR_RECONNECT", mergeId: { not: null }, sendAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

/** Why a message waits for a reconnect, in the outbox's words (lib/mail/outbox-copy.ts adds what to do). */
export const NEEDS_RECONNECT_ERROR = "Gmail needs reconnecting.";

/**
 * Holds the user's mail that is due to leave and not yet claimed, once Evergreen knows Gmail access has
 * ended before any send finds out (Google's security events): it waits as "Waiting for reconnect", and
 * the reconnect resumes it (resumeWaitingMessages). A message a worker holds ends by the outbox's rules.
 */
export async function holdMessagesForReconnect(db: AppDeps["db"], userId: string): Promise<void> {
  await db.message.updateMany({
    where: { userId, status: { in: ["QUEUED", "SCHEDULED"] }, leaseId: null },
    data: { status: "WAITING_FOR_RECONNECT", lastError: NEEDS_RECONNECT_ERROR },
  });
}

/**
 * After a reconnect, what waited for it is due again: a scheduled message at its own time, the rest
 * at once, except merge messages, which resume in their order at the merge's pace (never the
 * backlog at once, so one-to-one email is not stuck behind them either). Returned as writes for the
 * caller's transaction (the sign-in that restored the connection).
 */
export function resumeWaitingMessages(db: AppDeps["db"], userId: string, at: Date, mergeMessageIds: string[] = []) {
  const waiting = { userId, status: "WAITING_FOR_RECONNECT" as const };
  const resumedAt = (index: number) => new Date(at.getTime() + MERGE_PACE.leadMs + index * MERGE_INTERVAL_MS);
  const afterResumed = resumedAt(mergeMessageIds.length);
  return [
    db.message.updateMany({
      where: { ...waiting, sendAt: { gt: at } },
      data: { status: "SCHEDULED", lastError: null },
    }),
    ...mergeMessageIds.map((id, index) =>
      db.message.updateMany({
        where: { ...waiting, id },
        data: {
          status: "QUEUED",
          nextAttemptAt: resumedAt(index),
          lastError: null,
        },
      }),
    ),
    db.message.updateMany({ where: waiting, data: { status: "QUEUED", nextAttemptAt: at, lastError: null } }),
    // The account's running merges feed again only after the resumed ones: their shared pace holds.
    ...(mergeMessageIds.length > 0
      ? [
          db.merge.updateMany({
            where: { userId, status: "RUNNING", OR: [{ nextSendAt: null }, { nextSendAt: { lt: afterResumed } }] },
            data: { nextSendAt: afterResumed },
          }),
        ]
      : []),
  ];
}
